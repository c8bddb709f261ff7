package graph

import (
	"fmt"
)

// Batch is one batch of sequences, row-major: B rows of S tokens. Labels are
// only needed by graphs built with a loss, and only the task's own.
type Batch struct {
	Size, SeqLen  int
	InputIDs      []int // (B·S)
	TokenTypeIDs  []int // (B·S); nil = all 0
	AttentionMask []int // (B·S), 1 = real token, 0 = padding; nil = all 1

	// Labels: MLM and NER (B·S) with -100 for positions without a target;
	// sequence classification (B).
	Labels []int
	// Targets are the float labels of a regression head (num_labels 1), (B).
	Targets            []float32
	NextSentenceLabels []int // (B)
	StartPositions     []int // (B)
	EndPositions       []int // (B)
}

// NewBatch pads rows of token ids to the longest row (or to seqLen when it is
// larger) with padID, building the attention mask; types may be nil.
func NewBatch(ids, types [][]int, seqLen, padID int) Batch {
	s := seqLen
	for _, r := range ids {
		s = max(s, len(r))
	}
	b := Batch{Size: len(ids), SeqLen: s}
	b.InputIDs = make([]int, b.Size*s)
	b.TokenTypeIDs = make([]int, b.Size*s)
	b.AttentionMask = make([]int, b.Size*s)
	for i, r := range ids {
		for j := 0; j < s; j++ {
			k := i*s + j
			if j < len(r) {
				b.InputIDs[k], b.AttentionMask[k] = r[j], 1
				if types != nil && j < len(types[i]) {
					b.TokenTypeIDs[k] = types[i][j]
				}
			} else {
				b.InputIDs[k] = padID
			}
		}
	}
	return b
}

// validate checks the batch against the graph's shape and the vocabularies,
// so a bad id is reported with its place instead of failing deep in the graph.
func (n *Net) validate(b Batch) error {
	cfg := n.Config
	if b.Size != n.Batch || b.SeqLen != n.Seq {
		return fmt.Errorf("batch is %d x %d, graph was built for %d x %d", b.Size, b.SeqLen, n.Batch, n.Seq)
	}
	bs := b.Size * b.SeqLen
	if len(b.InputIDs) != bs {
		return fmt.Errorf("input_ids has %d values, want %d", len(b.InputIDs), bs)
	}
	for name, v := range map[string][]int{"token_type_ids": b.TokenTypeIDs, "attention_mask": b.AttentionMask} {
		if v != nil && len(v) != bs {
			return fmt.Errorf("%s has %d values, want %d", name, len(v), bs)
		}
	}
	for i, id := range b.InputIDs {
		if id < 0 || id >= cfg.VocabSize {
			return fmt.Errorf("token id %d at row %d position %d is outside the vocabulary (size %d)", id, i/b.SeqLen, i%b.SeqLen, cfg.VocabSize)
		}
	}
	for i, t := range b.TokenTypeIDs {
		if t < 0 || t >= cfg.TypeVocabSize {
			return fmt.Errorf("token type id %d at row %d position %d is outside type_vocab_size %d", t, i/b.SeqLen, i%b.SeqLen, cfg.TypeVocabSize)
		}
	}
	for i, m := range b.AttentionMask {
		if m != 0 && m != 1 {
			return fmt.Errorf("attention_mask value %d at row %d position %d is not 0 or 1", m, i/b.SeqLen, i%b.SeqLen)
		}
	}
	return nil
}
