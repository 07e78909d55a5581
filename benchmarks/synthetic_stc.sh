#!/usr/bin/env bash
# Issue 10: the STC ladder I -> E -> P on the default synthetic data (400
# train / 80 val images of 96 pixels; no ../shared needed), three seeds:
# val mIoU after each stage.  The test suite runs the same pipeline on 24
# images, too few for the scratch-trained I-DCNN to learn anything.
#   bash benchmarks/synthetic_stc.sh        # SEEDS="0 1 2" W=work_dirs/... to change
set -euo pipefail
cd "$(dirname "$0")/.."
W=${W:-work_dirs/stc_synth}
for seed in ${SEEDS:-0 1 2}; do
    python tools/train.py \
        configs/stc/stc_tinyr18-d8_1xb16-36-12-12e_synthetic-96x96.py \
        --work-dir "${W}_s$seed" --seed "$seed" > "${W}_s$seed.log" 2>&1
    python - "${W}_s$seed" "$seed" <<'PY'
import json
import sys
work, seed = sys.argv[1:]
scores = [json.load(open(f'{work}/{stage}/metrics.json'))['mIoU']
          for stage in ('test_i', 'test_e', 'test')]
print(f'seed {seed}: I {scores[0]:.2f} -> E {scores[1]:.2f} -> '
      f'P {scores[2]:.2f}')
PY
done
