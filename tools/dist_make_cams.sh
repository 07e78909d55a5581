#!/usr/bin/env bash
# Sharded CAM generation: tools/dist_make_cams.sh CONFIG CHECKPOINT GPUS [args]
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
PORT=${PORT:-29501}

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
torchrun --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$(dirname "$0")/make_cams.py" "$CONFIG" "$CHECKPOINT" \
    --launcher pytorch "${@:4}"
