#!/usr/bin/env bash
# Issue 10: STC on MSRC-17 end to end (val mIoU after I-, E- and P-DCNN,
# wall time per stage: tools/stage_report.py), then how the final score
# moves with the number of simple images: the split redone with stricter
# and looser thresholds (the saliency maps reused), every later stage
# rerun.  AE-PSL on the same data, backbone and recipe:
# benchmarks/msrc17_ae_psl.sh.  Needs ../shared (MSRC-17, the weights).
#   bash benchmarks/msrc17_stc.sh          # SEED=0 W=work_dirs/... to change
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${SEED:-0}
W=${W:-work_dirs/stc_mbv2-d32_1xb16-3x20e_msrc17-224x320_seed$SEED}
PIPELINE=configs/stc/stc_mbv2-d32_1xb16-3x20e_msrc17-224x320.py

python tools/train.py $PIPELINE --work-dir "$W" --seed "$SEED"
python tools/stage_report.py "$W"

# how the final score moves with the number of simple images: half of the
# rule-chosen ones (every second of split/simple.txt, the rest become
# complex images), and stricter / looser rules (these move the count by a
# few images only: 168 strict against 175).  The saliency maps are reused,
# every later stage rerun.
run_variant() {  # name, cfg-options...
    local V="${W}_$1"
    shift
    mkdir -p "$V"
    [ -e "$V/saliency" ] || cp -r "$W/saliency" "$V/"
    python tools/train.py $PIPELINE --work-dir "$V" --seed "$SEED" \
        --cfg-options "$@"
    python tools/stage_report.py "$V"
}
mkdir -p "${W}_half"
awk 'NR % 2 == 1' "$W/split/simple.txt" > "${W}_half/simple_half.txt"
run_variant half "stages.split.simple_list=$(realpath "${W}_half")/simple_half.txt"
[ -n "${ONLY_HALF:-}" ] && exit 0
run_variant strict stages.split.rules.max_outside=0.05 \
    stages.split.rules.min_compactness=0.9
run_variant loose stages.split.rules.max_outside=0.2 \
    stages.split.rules.min_compactness=0.6
