#!/usr/bin/env bash
# Benchmark (b): the CAM classifier on MSRC-17 (image labels of train only),
# CAM pseudo-mask mIoU on train at the best background threshold, and image
# mAP on val.  Run from the repository root with ../shared present.
set -euo pipefail
CFG=configs/cam/cam_mbv2_msrc17.py
WORK=${WORK:-work_dirs/cam_mbv2_msrc17}

[ -f pretrained/mobilenetv2_imagenet_mmseg.pth ] || \
  python tools/model_converters/mobilenetv2_tonylins.py \
    ../shared/weights/mobilenetv2_imagenet_tonylins.pt \
    pretrained/mobilenetv2_imagenet_mmseg.pth
SECONDS=0
python tools/train.py "$CFG" --work-dir "$WORK"
echo "train: ${SECONDS}s"
SECONDS=0
python tools/make_cams.py "$CFG" "$WORK/epoch_12.pth" --out-dir "$WORK/cams"
echo "make_cams: ${SECONDS}s"
python tools/eval_pseudo_labels.py "$CFG" --cams "$WORK/cams"
python tools/test.py "$CFG" "$WORK/epoch_12.pth" --work-dir "$WORK/test"
