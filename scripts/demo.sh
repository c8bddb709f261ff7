#!/usr/bin/env bash
# make demo: pretrain a small BERT from scratch on text every Go installation
# has (the documentation comments of the Go distribution's own packages),
# with no download. Steps: corpus -> WordPiece vocab -> shards -> pretraining
# with held-out evaluation -> fill-mask on held-out sentences.
# Tunables (environment): DEMO_OUT, DEMO_STEPS, DEMO_BATCH, DEMO_SIZE.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${DEMO_OUT:-demo-out}
STEPS=${DEMO_STEPS:-2500}
BATCH=${DEMO_BATCH:-32}
SIZE=${DEMO_SIZE:-tiny}
SEQ=64
BIN=bin

TAGS=$(./scripts/openblas.sh)
echo "== building${TAGS:+ with OpenBLAS}"
go build ${TAGS:+-tags "$TAGS"} -o "$BIN/" ./cmd/...
rm -rf "$OUT"
mkdir -p "$OUT"

echo "== 1. corpus: the Go distribution's package documentation ($(go env GOROOT)/src)"
"$BIN/train" corpus --out "$OUT/corpus"

echo "== 2. WordPiece vocabulary (8000 pieces) trained on the training documents"
"$BIN/train" vocab --corpus "$OUT/corpus/train.txt" --size 8000 --out "$OUT/vocab.txt"

echo "== 3. pretraining shards: sequences of $SEQ, 15% masked (80/10/10), next-sentence pairs"
"$BIN/train" prepare --corpus "$OUT/corpus/train.txt" --vocab "$OUT/vocab.txt" --out "$OUT/shards" \
	--max-seq-length $SEQ --max-predictions 10 --dupe-factor 3
"$BIN/train" prepare --corpus "$OUT/corpus/heldout.txt" --vocab "$OUT/vocab.txt" --out "$OUT/heldout" --prefix heldout \
	--max-seq-length $SEQ --max-predictions 10 --static-masking --seed 7

# Dropout is off: the run sees less than one epoch of the data, so there is
# nothing to regularise yet, and dropout slows early learning.
echo "== 4. pretraining BERT-$SIZE (max $SEQ positions) for $STEPS steps of $BATCH sequences on $(nproc) cores"
"$BIN/train" pretrain --shards "$OUT/shards/*.shard" --eval-shards "$OUT/heldout/*.shard" --vocab "$OUT/vocab.txt" \
	--out "$OUT/run" --model-size "$SIZE" --max-position $SEQ --steps "$STEPS" --batch-size "$BATCH" \
	--lr 1e-3 --warmup $((STEPS / 20)) --dropout=false --eval-every $((STEPS / 5)) --eval-batches 0 --save-every $((STEPS / 2)) --log-every 50 \
	2> "$OUT/pretrain.log" | tee "$OUT/summary.txt"

echo "== 5. fill-mask on held-out sentences (documents the model never saw)"
# Mask one frequent word in a few short held-out sentences.
awk 'length($0) > 30 && length($0) < 110 && / (returns|is|the|a|of) / { print; n++ } n == 4 { exit }' "$OUT/corpus/heldout.txt" |
	sed -E 's/ (returns|is|the|a|of) / [MASK] /' > "$OUT/masked.txt"
while IFS= read -r line; do
	echo "> $line"
	"$BIN/infer" fill-mask --model "$OUT/run/final" --top-k 3 "$line"
done < "$OUT/masked.txt"

echo
echo "== done"
cat "$OUT/summary.txt"
echo "checkpoint (HuggingFace BertForPreTraining layout): $OUT/run/final"
echo "metrics (JSON Lines): $OUT/run/metrics.jsonl; log: $OUT/pretrain.log"
