#!/usr/bin/env bash
# Validate data/nlu/nlu.yml with `rasa data validate` and train a Rasa NLU model from it
# and data/nlu/config.yml, into a cache outside the repo. The model is keyed by a hash
# of both files (and the Rasa version), so unchanged data reuses the model.
#
#   RASA_VENV    the Rasa venv (built by scripts/rasa_env.sh if missing)
#   RASA_MODELS  model cache (default ~/.cache/directive-assistant/rasa-models)
#   RASA_FAIL_ON_DATA_WARNINGS=1  fail when validation warns about the data
#
# Prints the model's path as the last line of stdout; everything else goes to stderr.
# Exit codes: 0 model ready, 3 SKIPPED (no Python 3.10), anything else: failure.
set -euo pipefail
cd "$(dirname "$0")/.."

RASA_MODELS=${RASA_MODELS:-$HOME/.cache/directive-assistant/rasa-models}
NLU_FILE=data/nlu/nlu.yml
CONFIG_FILE=data/nlu/config.yml
export RASA_TELEMETRY_ENABLED=false  # offline machine; and nobody asked for it
export TF_CPP_MIN_LOG_LEVEL=2        # TensorFlow's start-up chatter

say() { echo "rasa_train: $*" >&2; }

rc=0
RASA_VENV=$(bash scripts/rasa_env.sh) || rc=$?
if [ "$rc" -ne 0 ]; then
  exit "$rc"  # 3 = SKIPPED, already announced loudly by rasa_env.sh
fi
RASA="$RASA_VENV/bin/rasa"

# Work on a snapshot, so that the files hashed are the files validated and trained on
# even if someone edits the data meanwhile.
work=$(mktemp -d "${TMPDIR:-/tmp}/rasa-train.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$NLU_FILE" "$work/nlu.yml"
cp "$CONFIG_FILE" "$work/config.yml"

rasa_version=$("$RASA_VENV/bin/python" -c 'import rasa; print(rasa.__version__)' 2>/dev/null)
key=$(cat "$work/nlu.yml" "$work/config.yml" <(echo "rasa $rasa_version") \
  | sha256sum | cut -c1-16)
model="$RASA_MODELS/nlu-$key.tar.gz"
if [ -f "$model" ]; then
  say "reusing $model (nlu.yml and config.yml unchanged)"
  echo "$model"
  exit 0
fi

# `rasa data validate` needs a domain; an NLU-only project has none of its own, so one
# is derived from the training data itself (its intents and entities, read by Rasa).
"$RASA_VENV/bin/python" - "$work/nlu.yml" >"$work/domain.yml" 2>"$work/domain.log" <<'EOF' || {
import sys

from rasa.shared.nlu.training_data.loading import load_data

data = load_data(sys.argv[1])
print('version: "3.1"')
print("intents:")
for intent in sorted(data.intents):
    print(f"  - {intent}")
if data.entities:
    print("entities:")
    for entity in sorted(data.entities):
        print(f"  - {entity}")
EOF
  cat "$work/domain.log" >&2
  say "FAILED: Rasa cannot read $NLU_FILE"
  exit 1
}

# Rasa prints its warnings as Python UserWarnings; list them one per line, without the
# stories/rules ones, which mean nothing for an NLU-only model.
data_warnings() {
  sed 's/\x1b\[[0-9;]*m//g' "$1" \
    | grep -o 'UserWarning: .*' \
    | sed 's/^UserWarning: //' \
    | grep -v 'is not used in any story or rule' \
    | sort | uniq || true
}

say "validating $NLU_FILE with $CONFIG_FILE"
started=$SECONDS
rc=0
(cd "$work" && "$RASA" data validate -c config.yml -d domain.yml --data nlu.yml) \
  >"$work/validate.log" 2>&1 || rc=$?
warnings=$(data_warnings "$work/validate.log")
if [ -n "$warnings" ]; then
  say "rasa data validate warned about the training data:"
  echo "$warnings" | sed 's/^/  DATA WARNING: /' >&2
fi
if [ "$rc" -ne 0 ]; then
  tail -n 30 "$work/validate.log" >&2
  say "FAILED: rasa data validate exited with $rc"
  exit 1
fi
if [ -n "$warnings" ] && [ "${RASA_FAIL_ON_DATA_WARNINGS:-0}" = "1" ]; then
  say "FAILED: data warnings and RASA_FAIL_ON_DATA_WARNINGS=1"
  exit 1
fi
say "validated in $((SECONDS - started)) s ($(echo -n "$warnings" | grep -c '' || true) data warnings)"

say "training (this takes a few minutes)"
started=$SECONDS
mkdir -p "$RASA_MODELS"
rc=0
(cd "$work" && "$RASA" train nlu -c config.yml --nlu nlu.yml --out "$work/models" \
  --fixed-model-name "nlu-$key") >"$work/train.log" 2>&1 || rc=$?
if [ "$rc" -ne 0 ] || [ ! -f "$work/models/nlu-$key.tar.gz" ]; then
  tail -n 40 "$work/train.log" >&2
  say "FAILED: rasa train nlu exited with $rc"
  exit 1
fi
warnings=$(data_warnings "$work/train.log")
if [ -n "$warnings" ]; then
  say "rasa train nlu warned about the training data:"
  echo "$warnings" | sed 's/^/  TRAINING WARNING: /' >&2
fi
# Copy then rename: a model in the cache is always complete.
cp "$work/models/nlu-$key.tar.gz" "$model.tmp.$$"
mv "$model.tmp.$$" "$model"
say "trained in $((SECONDS - started)) s: $model ($(du -h "$model" | cut -f1))"
echo "$model"
