#!/usr/bin/env bash
# Issue 13: the own-data route on real photos: MSRC-17 train as a tagged
# folder (no masks), the template pipeline, masks inferred for MSRC-17 val
# (never in the folder) scored against their ground truth; compare with the
# MSRC-17 pipeline's val mIoU (benchmarks/msrc17_ae_psl.sh).
#   bash benchmarks/msrc17_as_own_data.sh   # W=work_dirs/..., TEMPLATE=config to change
set -euo pipefail
cd "$(dirname "$0")/.."
W=${W:-work_dirs/own_data_msrc17}
DATA="$W/data"
python benchmarks/msrc17_as_own_data.py make-folder "$DATA"
TEMPLATE=${TEMPLATE:-configs/custom/ae-psl_mbv2-d32_1xb16-20e_custom-long320.py}
python tools/train.py $TEMPLATE --work-dir "$W" --allow-rare \
    --cfg-options data_root="$DATA"
python tools/stage_report.py "$W"
mkdir -p "$W/val_images"
while read -r stem; do
    ln -sf "$(realpath ../shared/data/msrc17/JPEGImages/$stem.jpg)" "$W/val_images/"
done < ../shared/data/msrc17/ImageSets/Segmentation/val.txt
python tools/infer.py $TEMPLATE "$W" \
    "$W/val_images" --out "$W/val_masks" --cfg-options data_root="$DATA"
python benchmarks/msrc17_as_own_data.py score "$W/val_masks"
