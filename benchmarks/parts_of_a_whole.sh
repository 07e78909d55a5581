#!/usr/bin/env bash
# Issue 24: the own-data template on photos whose tags name parts of one
# salient whole (benchmarks/parts_of_a_whole.py), against the same
# template trained on every photo's true masks (the fully supervised twin);
# both infer masks for test photos never in the folder, scored against
# their ground truth (evaluation only).
#   bash benchmarks/parts_of_a_whole.sh   # W=work dir, TEMPLATE=config, SEED
set -euo pipefail
cd "$(dirname "$0")/.."
W=${W:-work_dirs/parts_of_a_whole}
TEMPLATE=${TEMPLATE:-configs/custom/ae-psl_tinyr18-d8_1xb16-12e_custom-long96.py}
SEED=${SEED:-0}
python benchmarks/parts_of_a_whole.py make "$W/data"
for route in tags masks; do
    python tools/train.py "$TEMPLATE" --work-dir "$W/$route" --seed "$SEED" \
        --cfg-options data_root="$W/data/$route"
    python tools/infer.py "$TEMPLATE" "$W/$route" "$W/data/test/images" \
        --out "$W/$route/test_masks" --cfg-options data_root="$W/data/$route"
    echo "== $route"
    python benchmarks/parts_of_a_whole.py score "$W/$route/test_masks" "$W/data"
done
