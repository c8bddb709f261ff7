#!/usr/bin/env bash
# make finetune-demo: fine-tune a small BERT on the three fine-tuning tasks
# with data made from text every Go installation has (the documentation of
# the Go distribution's packages, see package data/synth), with no download:
#   classify  doc sentences -> the area of their package (crypto, net, ...)
#   ner       Go identifiers in doc sentences (B-FUNC/B-TYPE/B-VALUE/B-PKG)
#   qa        "What does X return?" over function comments (SQuAD v1.1)
# Training and dev sets come from different packages. The model is
# demo-out/run/final (make demo's pretrained checkpoint) when it exists, else a
# freshly initialised BERT-tiny with a WordPiece vocabulary trained on the same
# documentation; FT_INIT=random forces the latter, FT_MODEL=DIR picks a folder.
# Tunables (environment): FT_OUT, FT_MODEL, FT_INIT, FT_EPOCHS, FT_LR,
# FT_BATCH, FT_MAXLEN, FT_SEED, FT_TASKS.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${FT_OUT:-demo-out/finetune}
EPOCHS=${FT_EPOCHS:-10}
BATCH=${FT_BATCH:-32}
MAXLEN=${FT_MAXLEN:-64}
SEED=${FT_SEED:-1}
TASKS=${FT_TASKS:-classify ner qa}
BIN=bin

TAGS=$(./scripts/openblas.sh)
echo "== building${TAGS:+ with OpenBLAS}"
go build ${TAGS:+-tags "$TAGS"} -o "$BIN/" ./cmd/train
mkdir -p "$OUT"

MODEL=${FT_MODEL:-}
if [ -z "$MODEL" ] && [ "${FT_INIT:-}" != random ] && [ -f demo-out/run/final/config.json ]; then
	MODEL=demo-out/run/final
	FROM="the demo checkpoint ($MODEL)"
	LR=${FT_LR:-2e-4}
elif [ -z "$MODEL" ]; then
	echo "== no pretrained checkpoint: BERT-tiny from random weights, WordPiece vocabulary from the Go docs"
	if [ ! -f "$OUT/vocab.txt" ]; then
		"$BIN/train" corpus --out "$OUT/corpus" >/dev/null
		"$BIN/train" vocab --corpus "$OUT/corpus/train.txt" --size 8000 --out "$OUT/vocab.txt"
	fi
	MODEL=$OUT/init-model
	"$BIN/train" synth --init-model "$MODEL" --vocab "$OUT/vocab.txt" --model-size tiny --max-position "$MAXLEN" --seed "$SEED"
	FROM="random init (BERT-tiny)"
	LR=${FT_LR:-5e-4}
else
	FROM=$MODEL
	LR=${FT_LR:-2e-4}
fi
echo "== fine-tuning from $FROM: $EPOCHS epochs, batch $BATCH, lr $LR, max length $MAXLEN, $(nproc) cores"

# metric FILE NAME prints the value of eval_NAME in an eval_results.json.
metric() { printf '%.4f' "$(sed -n "s/.*\"eval_$2\": *\([-0-9.eE+]*\).*/\1/p" "$1")"; }

SUMMARY=$OUT/summary.txt
printf '%-9s %-16s %-44s %s\n' task "train / dev" "baseline (dev)" "fine-tuned (dev, best epoch)" > "$SUMMARY"
for task in $TASKS; do
	echo
	echo "== $task: data"
	mkdir -p "$OUT/$task"
	"$BIN/train" synth --task "$task" --out "$OUT/$task/data" --seed "$SEED" | tee "$OUT/$task/synth.txt"
	case $task in
	classify) ext=tsv; extra=() ;;
	ner) ext=conll; extra=() ;;
	qa) ext=json; extra=(--doc-stride 16 --max-query-length 24 --max-answer-length 24) ;;
	esac
	echo "== $task: fine-tuning"
	start=$(date +%s)
	"$BIN/train" finetune --task "$task" --model "$MODEL" --train "$OUT/$task/data/train.$ext" --dev "$OUT/$task/data/dev.$ext" \
		--out "$OUT/$task/run" --epochs "$EPOCHS" --batch-size "$BATCH" --lr "$LR" --warmup-ratio 0.1 --max-length "$MAXLEN" \
		--seed "$SEED" --keep-last 1 --log-every 20 "${extra[@]}" 2> "$OUT/$task/finetune.log"
	secs=$(($(date +%s) - start))
	tail -n 1 "$OUT/$task/finetune.log"
	res=$OUT/$task/run/best/eval_results.json
	sizes="$(sed -n 's/^synth [a-z]*: train \([0-9]*\) .* dev \([0-9]*\) .*/\1 \/ \2/p' "$OUT/$task/synth.txt")"
	base="$(sed -n 's/^baseline: //p' "$OUT/$task/synth.txt")"
	case $task in
	classify) got="accuracy $(metric "$res" accuracy), macro-F1 $(metric "$res" f1_macro)" ;;
	ner) got="entity F1 $(metric "$res" f1), token accuracy $(metric "$res" accuracy)" ;;
	qa) got="exact match $(metric "$res" exact_match), F1 $(metric "$res" f1)" ;;
	esac
	printf '%-9s %-16s %-44s %s (%ds)\n' "$task" "$sizes" "$base" "$got" "$secs" >> "$SUMMARY"
done

echo
echo "== done: fine-tuned from $FROM"
cat "$SUMMARY"
echo "models (HuggingFace folders): $OUT/<task>/run/best; logs: $OUT/<task>/finetune.log"
