#!/usr/bin/env bash
# Issue 4 on MSRC-17: the whole AE-PSL pipeline (configs/ae_psl_mbv2_msrc17.py:
# classifier, saliency, pseudo masks, PSL, PSL++, val tests, and the
# evaluation-only pseudo-mask scores of every rung), the fully supervised
# upper bound (same segmentor on the ground-truth train masks, clearly not
# weakly supervised), and the PSL head's train-step cost.
set -euo pipefail
WORK=${WORK:-work_dirs/ae_psl_mbv2_msrc17}
UPPER=${UPPER:-work_dirs/upper_bound_mbv2_msrc17}
if [ ! -f pretrained/mobilenetv2_imagenet_mmseg.pth ]; then
  python tools/model_converters/mobilenetv2_tonylins.py \
    ../shared/weights/mobilenetv2_imagenet_tonylins.pt \
    pretrained/mobilenetv2_imagenet_mmseg.pth
fi
SECONDS=0
python tools/train.py configs/ae_psl_mbv2_msrc17.py --work-dir "$WORK"
echo "AE-PSL pipeline: ${SECONDS}s"
python tools/stage_report.py "$WORK"

SECONDS=0
python tools/train.py configs/fully_supervised/psl_aspp_mbv2_8e_msrc17_gt_masks.py \
  --work-dir "$UPPER"
echo "upper bound training: ${SECONDS}s"
python tools/test.py configs/fully_supervised/psl_aspp_mbv2_8e_msrc17_gt_masks.py \
  "$(cat "$UPPER/last_checkpoint")" --work-dir "$UPPER/test"

python benchmarks/psl_head_cost.py --repeats 7
