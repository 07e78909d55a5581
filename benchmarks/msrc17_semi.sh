#!/usr/bin/env bash
# Issue 23: a few pixel masks + many tags on MSRC-17, beside its two
# baselines: the semi-supervised AE-PSL pipeline (configs/semi/
# ae-psl-pixel${PCT}pct_mbv2-d32_1xb16-20e_msrc17-224x320.py) and the same
# segmentor trained on the masks alone (configs/semi/
# psl-masksonly${PCT}pct_mbv2-d32_1xb16-*e_msrc17-224x320.py: its epochs
# keep the recipe's 380 iterations); the tags-only pipeline and the upper
# bound are benchmarks/msrc17_ae_psl.sh.
# Prints val mIoU, face and body IoU and wall time of each (scored by
# benchmarks/msrc17_semi_score.py: evaluation only).  Needs ../shared.
#   bash benchmarks/msrc17_semi.sh          # PCT=10 SEED=0 to change
set -euo pipefail
cd "$(dirname "$0")/.."
PCT=${PCT:-10}
SEED=${SEED:-0}
MIXED=configs/semi/ae-psl-pixel${PCT}pct_mbv2-d32_1xb16-20e_msrc17-224x320.py
ONLY=$(echo configs/semi/psl-masksonly${PCT}pct_mbv2-d32_*_msrc17-224x320.py)
W=${W:-work_dirs/semi/pixel${PCT}pct_seed$SEED}

start=$(date +%s)
python tools/train.py $MIXED --work-dir "$W/mixed" --seed "$SEED"
echo "mixed pipeline wall time: $(( $(date +%s) - start )) s"
python tools/stage_report.py "$W/mixed"

start=$(date +%s)
python tools/train.py $ONLY --work-dir "$W/masks_only" --seed "$SEED"
echo "masks-only wall time: $(( $(date +%s) - start )) s"
python tools/test.py $ONLY "$(cat "$W/masks_only/last_checkpoint")" \
    --work-dir "$W/masks_only/test" --out "$W/masks_only/val_predictions"

python benchmarks/msrc17_semi_score.py "$W/mixed/test/predictions" \
    "$W/masks_only/val_predictions"
