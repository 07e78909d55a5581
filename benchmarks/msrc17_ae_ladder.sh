#!/usr/bin/env bash
# Issue 3 ladder on MSRC-17 train: pseudo-mask mIoU / precision / recall for
# plain CAM, AE fused regions (1..4 steps), AE + saliency, AE + saliency + CRF.
# Needs benchmarks/msrc17_cam.sh first (the CAM classifier and its CAMs).
set -euo pipefail
CAM_WORK=${CAM_WORK:-work_dirs/cam_mbv2_msrc17}
WORK=${WORK:-work_dirs/ae_mbv2_msrc17}
CFG=configs/ae/ae_mbv2_msrc17.py
EVAL="python tools/eval_pseudo_labels.py $CFG"

SECONDS=0
python tools/train.py "$CFG" --work-dir "$WORK"
echo "AE training: ${SECONDS}s"
SECONDS=0
python tools/make_saliency.py "$CFG" --out-dir "$WORK/saliency"
echo "saliency: ${SECONDS}s"

$EVAL --cams "$CAM_WORK/cams" --out "$WORK/ladder_cam.json"
for k in 1 2 3 4; do
  python tools/make_pseudo_labels.py "$CFG" --mode ae --fuse-steps $k \
    --regions "$WORK/erasing/regions" --cams "$CAM_WORK/cams" \
    --out-dir "$WORK/pl_ae_$k"
  $EVAL --labels "$WORK/pl_ae_$k"
done
python tools/make_pseudo_labels.py "$CFG" --mode cam_saliency \
  --cams "$CAM_WORK/cams" --saliency "$WORK/saliency" \
  --out-dir "$WORK/pl_cam_saliency"
$EVAL --labels "$WORK/pl_cam_saliency"
python tools/make_pseudo_labels.py "$CFG" --mode ae_saliency --fuse-steps 3 \
  --regions "$WORK/erasing/regions" --cams "$CAM_WORK/cams" \
  --saliency "$WORK/saliency" --out-dir "$WORK/pl_ae_saliency"
$EVAL --labels "$WORK/pl_ae_saliency"
SECONDS=0
python tools/make_pseudo_labels.py "$CFG" --mode ae_saliency --fuse-steps 3 \
  --regions "$WORK/erasing/regions" --cams "$CAM_WORK/cams" \
  --saliency "$WORK/saliency" --crf irn --workers 2 \
  --out-dir "$WORK/pl_ae_saliency_crf"
echo "AE + saliency + CRF (2 workers): ${SECONDS}s"
$EVAL --labels "$WORK/pl_ae_saliency_crf"
