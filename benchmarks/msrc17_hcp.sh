#!/usr/bin/env bash
# Issue 11: the proposal-based baseline (HCP) on MSRC-17 end to end: the
# argmax localization maps' mIoU on train (score_maps), final val mIoU
# (test), wall time per stage (tools/stage_report.py: proposal time per
# image = the proposals stage over 353 images; re-ranking in the
# localization_maps stage's tally), and the proposals' recall of the
# ground-truth objects (evaluation only).  Needs ../shared.
#   bash benchmarks/msrc17_hcp.sh          # SEED=0 W=work_dirs/... to change
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${SEED:-0}
W=${W:-work_dirs/hcp_mbv2-d32_1xb16-20e_msrc17-224x320_seed$SEED}
CLASSIFIER=configs/hcp/hcp-classifier_mbv2-d16_1xb16-12e_msrc17-long320.py
python tools/train.py configs/hcp/hcp_mbv2-d32_1xb16-20e_msrc17-224x320.py \
    --work-dir "$W" --seed "$SEED"
python tools/stage_report.py "$W"
python benchmarks/proposal_recall.py \
    $CLASSIFIER "$W/proposals/proposals"
# why the maps miss objects: the classifier's proposal scores against the
# ground truth (evaluation only)
python benchmarks/hcp_score_diagnosis.py \
    $CLASSIFIER "$W"
