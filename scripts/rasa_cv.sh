#!/usr/bin/env bash
# Rasa's own k-fold cross-validation on data/nlu/nlu.yml (`rasa test nlu
# --cross-validation`), keeping every prediction (successes and errors), so that
# `bot nlu eval --rasa-cv DIR` can calibrate the rasa backend's rejection threshold
# on out-of-fold predictions, as it does for the builtin engine. Trains DIET FOLDS
# times: about 2 minutes per fold on 2 cores.
#
#   usage: bash scripts/rasa_cv.sh OUT_DIR [FOLDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL=2

out=${1:?usage: scripts/rasa_cv.sh OUT_DIR [FOLDS]}
folds=${2:-5}
RASA_VENV=$(bash scripts/rasa_env.sh)
mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$(pwd)
# Rasa writes its training cache (.rasa/cache, ~100 MB of checkpoints) into the working
# directory: run it in a temporary folder so nothing lands in the repository.
work=$(mktemp -d "${TMPDIR:-/tmp}/rasa-cv.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$RASA_VENV/bin/rasa" test nlu --nlu "$root/data/nlu/nlu.yml" \
  --config "$root/data/nlu/config.yml" \
  --cross-validation --folds "$folds" --successes --no-plot --out "$out" >&2)
ls "$out"/intent_successes.json "$out"/intent_errors.json >/dev/null
echo "rasa_cv: predictions in $out" >&2
