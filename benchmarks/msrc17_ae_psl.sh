#!/usr/bin/env bash
# Issue 8: AE-PSL on MSRC-17 end to end, with every rung of the ladder, the
# PSL ablation on val, and the upper bound (the same segmentor trained on
# the ground-truth masks).  Needs ../shared (MSRC-17 and the weights).
#   bash benchmarks/msrc17_ae_psl.sh            # SEED=0 W=work_dirs/... to change
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${SEED:-0}
W=${W:-work_dirs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320_seed$SEED}
PIPELINE=configs/ae-psl_mbv2-d32_1xb16-20e_msrc17-224x320.py

# 1. the pipeline (every stage and rung; wall time per stage in the report)
python tools/train.py $PIPELINE --work-dir "$W" --seed "$SEED"
python tools/stage_report.py "$W"

# 2. PSL ablation on val: the PSL model without the branch's suppression
#    (online masks alone), with it (the pipeline's test_psl), + dense CRF;
#    and PSL trained without online masks (the stages before PSL reused)
python tools/test.py $PIPELINE "$W" --stage psl --no-suppression \
    --work-dir "$W/ablation/online"
python tools/test.py $PIPELINE "$W" --stage psl --crf deeplab \
    --work-dir "$W/ablation/online_suppression_crf"
A="${W}_no_online"
mkdir -p "$A"
for stage in classifier cams saliency pseudo_labels; do
    [ -e "$A/$stage" ] || cp -r "$W/$stage" "$A/"
done
python tools/train.py $PIPELINE --work-dir "$A" --seed "$SEED" --stage psl \
    --cfg-options stages.psl.cfg_options.model.decode_head.online_loss_weight=0
python tools/test.py $PIPELINE "$A" --stage psl --no-suppression \
    --work-dir "$A/ablation/no_online"

# 3. the upper bound: NOT weakly supervised (ground-truth train masks)
U="work_dirs/psl-gtmasks_mbv2-d32_1xb16-20e_msrc17-224x320_seed$SEED"
UPPER=configs/fully_supervised/psl-gtmasks_mbv2-d32_1xb16-20e_msrc17-224x320.py
python tools/train.py $UPPER --work-dir "$U" --seed "$SEED"
python tools/test.py $UPPER "$U/epoch_20.pth" --work-dir "$U/test"
