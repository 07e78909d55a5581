#!/usr/bin/env bash
# Issue 4 on MSRC-17: the whole AE-PSL pipeline (configs/ae_psl_mbv2_msrc17.py:
# classifier, saliency, pseudo masks, PSL, PSL++, val tests, and the
# evaluation-only pseudo-mask scores of every rung), PSL without its online
# masks (ablation), the fully supervised
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

# ablation: PSL without the online masks (branch kept), same pseudo masks
ABL=${ABL:-work_dirs/psl_no_online_mbv2_msrc17}
SECONDS=0
python tools/train.py configs/psl/psl_aspp_mbv2_10e_msrc17.py --work-dir "$ABL" \
  --cfg-options model.decode_head.online_loss_weight=0 \
  model.backbone.init_cfg.checkpoint="$(realpath "$WORK/classifier/epoch_12.pth")" \
  model.backbone.init_cfg.prefix=backbone. \
  train_dataloader.dataset.pseudo_seg_map_path="$(realpath "$WORK/pseudo_labels/labels")"
echo "PSL without online masks: ${SECONDS}s"
python tools/test.py configs/psl/psl_aspp_mbv2_10e_msrc17.py \
  "$(cat "$ABL/last_checkpoint")" --work-dir "$ABL/test"

SECONDS=0
python tools/train.py configs/fully_supervised/psl_aspp_mbv2_10e_msrc17_gt_masks.py \
  --work-dir "$UPPER" --cfg-options \
  model.backbone.init_cfg.checkpoint="$(realpath "$WORK/classifier/epoch_12.pth")" \
  model.backbone.init_cfg.prefix=backbone.
echo "upper bound training: ${SECONDS}s"
python tools/test.py configs/fully_supervised/psl_aspp_mbv2_10e_msrc17_gt_masks.py \
  "$(cat "$UPPER/last_checkpoint")" --work-dir "$UPPER/test"

python benchmarks/psl_head_cost.py --repeats 7
