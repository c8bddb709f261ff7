#!/usr/bin/env bash
# Cross-check a model folder against an independent implementation: the
# plain-PyTorch BERT of ../shared/conformance/tools/check_model_fixtures.py
# (HuggingFace's math written out, no transformers). It builds a random padded
# batch with the task's labels, lets `infer forward` and `train step` write
# what gorbert computes (every hidden state and attention, the logits, the
# loss, every gradient, two AdamW steps, a clipped step), and has the checker
# recompute all of it from model.safetensors.
# The checker covers BertForPreTraining, -SequenceClassification,
# -TokenClassification and -QuestionAnswering folders.
# Needs python3 with torch and numpy (Debian: python3-torch).
# Usage: scripts/crosscheck.sh MODEL_DIR [BATCH] [SEQ]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: scripts/crosscheck.sh MODEL_DIR [BATCH] [SEQ]}
B=${2:-3}
S=${3:-24}
PY=${PYTHON:-/usr/bin/python3}
CHECKER=../shared/conformance/tools/check_model_fixtures.py
if ! "$PY" -c 'import torch, numpy' 2>/dev/null; then
	echo "crosscheck: $PY lacks torch/numpy (Debian: apt-get install python3-torch); skipped"
	exit 0
fi
[ -f "$CHECKER" ] || { echo "crosscheck: $CHECKER not found; skipped"; exit 0; }
CASE=$(mktemp -d)
trap 'rm -rf "$CASE"' EXIT
cp "$MODEL/config.json" "$MODEL/model.safetensors" "$CASE/"
"$PY" - "$CASE" "$B" "$S" <<'PY'
import json, random, sys
case, B, S = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cfg = json.load(open(f"{case}/config.json"))
arch = (cfg.get("architectures") or ["BertModel"])[0]
V, T, pad = cfg["vocab_size"], cfg.get("type_vocab_size", 2), cfg.get("pad_token_id", 0)
L = len(cfg.get("id2label") or {}) or 2
rng = random.Random(7)
inp = {k: [] for k in ("input_ids", "token_type_ids", "attention_mask")}
for b in range(B):
    n = S if b == 0 else rng.randint(3, S)         # row 0 full, the others padded
    ids = [rng.randrange(V) for _ in range(n)]
    cut = rng.randint(1, n - 1)
    inp["input_ids"].append(ids + [pad] * (S - n))
    inp["token_type_ids"].append([0] * cut + [min(1, T - 1)] * (n - cut) + [0] * (S - n))
    inp["attention_mask"].append([1] * n + [0] * (S - n))
def token_labels(num):
    return [[rng.randrange(num) if m and rng.random() < 0.3 else -100 for m in row] for row in inp["attention_mask"]]
supported = ("BertForPreTraining", "BertForSequenceClassification", "BertForTokenClassification", "BertForQuestionAnswering")
if arch not in supported:
    sys.exit(f"crosscheck: the checker knows {', '.join(supported)}; {arch} is not among them")
if arch == "BertForPreTraining":
    inp["labels"] = token_labels(V)
    inp["next_sentence_label"] = [rng.randint(0, 1) for _ in range(B)]
elif arch == "BertForSequenceClassification":
    inp["labels"] = [rng.randrange(L) for _ in range(B)]
elif arch == "BertForTokenClassification":
    inp["labels"] = token_labels(L)
elif arch == "BertForQuestionAnswering":
    inp["start_positions"] = [rng.randrange(S) for _ in range(B)]
    inp["end_positions"] = [rng.randrange(S) for _ in range(B)]
json.dump(inp, open(f"{case}/inputs.json", "w"))
print(f"crosscheck: {arch}, batch {B} x {S} (padded rows), labels: {', '.join(k for k in inp if 'ids' not in k and k != 'attention_mask') or 'none'}")
PY
go build -o bin/ ./cmd/...
bin/infer forward --model "$CASE" --inputs "$CASE/inputs.json" --out "$CASE/expected.safetensors"
bin/train step --model "$CASE" --inputs "$CASE/inputs.json" --out "$CASE/train.safetensors" --steps 2 --clip 1
"$PY" "$CHECKER" "$CASE"
