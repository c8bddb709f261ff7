package tasks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gorbert/gorbert/tokenizer"
)

// IgnoreLabel marks positions that do not count in the loss: special tokens
// and, by default, the word pieces after the first of each word (the -100 of
// PyTorch's cross-entropy and HuggingFace's examples).
const IgnoreLabel = -100

// ClassificationFeature is the model input of one TextExample.
type ClassificationFeature struct {
	ExampleID     string
	InputIDs      []int
	TypeIDs       []int
	AttentionMask []int
	Label         int     // class id; -1 for an unlabelled example or a regression task
	Target        float64 // regression target (labels == nil)
	Labeled       bool
}

// ClassificationFeatures encodes each example as [CLS] a [SEP] (b [SEP]),
// cut to maxLength tokens with HuggingFace's default longest_first
// truncation (0: no limit). With labels, Label is the class id; with labels
// nil the task is regression and Target is the label parsed as a number.
// Features are not padded; batching pads them.
func ClassificationFeatures(tok *tokenizer.Tokenizer, examples []TextExample, labels *LabelSet, maxLength int) ([]ClassificationFeature, error) {
	opts := tokenizer.Options{}
	if maxLength > 0 {
		opts = tokenizer.Options{MaxLength: maxLength, Truncation: tokenizer.LongestFirst}
	}
	t, err := tok.WithOptions(opts)
	if err != nil {
		return nil, err
	}
	out := make([]ClassificationFeature, len(examples))
	for i, ex := range examples {
		enc, err := t.EncodePair(ex.TextA, ex.TextB)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ex.ID, err)
		}
		f := ClassificationFeature{ExampleID: ex.ID, InputIDs: enc.IDs, TypeIDs: enc.TypeIDs, AttentionMask: enc.AttentionMask, Label: -1}
		if ex.Label != "" {
			f.Labeled = true
			if labels == nil {
				ys, err := Targets([]TextExample{ex})
				if err != nil {
					return nil, err
				}
				f.Target = ys[0]
			} else {
				ids, err := labels.IDs([]TextExample{ex})
				if err != nil {
					return nil, err
				}
				f.Label = ids[0]
			}
		}
		out[i] = f
	}
	return out, nil
}

// TokenFeature is the model input of one TaggedSentence.
type TokenFeature struct {
	SentenceID    string
	InputIDs      []int
	TypeIDs       []int
	AttentionMask []int
	// Labels holds one tag id per token, IgnoreLabel where the token does not
	// count.
	Labels []int
	// WordIDs is the index in TaggedSentence.Words of each token's word, -1
	// for [CLS]/[SEP]: what turns token predictions back into word tags.
	WordIDs []int
}

// TokenOptions configures TokenClassificationFeatures.
type TokenOptions struct {
	MaxLength int // total tokens including [CLS]/[SEP]; 0: no limit. Words cut off lose their labels.
	// LabelAllTokens labels every piece of a word instead of only the first,
	// with a B- tag turned into the matching I- tag on the continuation
	// pieces (when the tag set has it), as HuggingFace's run_ner.py does with
	// label_all_tokens.
	LabelAllTokens bool
}

// TokenClassificationFeatures encodes sentences of given words, as
// HuggingFace's tokenizer(words, is_split_into_words=True) does, and aligns
// the tags to word pieces: the first piece of each word gets the word's tag,
// the other pieces and the special tokens get IgnoreLabel.
//
// The words are joined with single spaces and encoded as one text; each
// token's byte offset then tells which word it came from. This is what
// is_split_into_words amounts to for BERT, whose pre-tokenizer always splits
// at spaces; a word that the pre-tokenizer splits further ("U.N." → U . N .)
// still counts as one word, its first piece carrying the tag.
func TokenClassificationFeatures(tok *tokenizer.Tokenizer, sentences []TaggedSentence, tags *LabelSet, opts TokenOptions) ([]TokenFeature, error) {
	topts := tokenizer.Options{}
	if opts.MaxLength > 0 {
		topts = tokenizer.Options{MaxLength: opts.MaxLength, Truncation: tokenizer.LongestFirst}
	}
	t, err := tok.WithOptions(topts)
	if err != nil {
		return nil, err
	}
	// continuation[id] is the label of a non-first piece under LabelAllTokens.
	continuation := make([]int, tags.Len())
	for id, name := range tags.Names() {
		continuation[id] = id
		if rest, ok := strings.CutPrefix(name, "B-"); ok {
			if i, ok := tags.ID("I-" + rest); ok {
				continuation[id] = i
			}
		}
	}
	out := make([]TokenFeature, len(sentences))
	for si, s := range sentences {
		if len(s.Words) != len(s.Tags) {
			return nil, fmt.Errorf("%s: %d words but %d tags", s.ID, len(s.Words), len(s.Tags))
		}
		tagIDs := make([]int, len(s.Tags))
		for i, tag := range s.Tags {
			id, ok := tags.ID(tag)
			if !ok {
				return nil, fmt.Errorf("%s: word %d: tag %q is not one of %q", s.ID, i, tag, tags.Names())
			}
			tagIDs[i] = id
		}
		// starts[i] is the byte offset of word i in the joined text.
		starts := make([]int, len(s.Words))
		var b strings.Builder
		for i, w := range s.Words {
			if i > 0 {
				b.WriteByte(' ')
			}
			starts[i] = b.Len()
			b.WriteString(w)
		}
		enc, err := t.Encode(b.String())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.ID, err)
		}
		f := TokenFeature{
			SentenceID: s.ID, InputIDs: enc.IDs, TypeIDs: enc.TypeIDs, AttentionMask: enc.AttentionMask,
			Labels: make([]int, enc.Len()), WordIDs: make([]int, enc.Len()),
		}
		prev := -1
		for k := range enc.IDs {
			f.Labels[k], f.WordIDs[k] = IgnoreLabel, -1
			if enc.SequenceIDs[k] != 0 {
				continue // [CLS], [SEP]
			}
			// The word whose span holds this token: the last one starting at or
			// before the token's first byte.
			w := sort.SearchInts(starts, enc.ByteOffsets[k][0]+1) - 1
			f.WordIDs[k] = w
			switch {
			case w != prev:
				f.Labels[k] = tagIDs[w]
			case opts.LabelAllTokens:
				f.Labels[k] = continuation[tagIDs[w]]
			}
			prev = w
		}
		out[si] = f
	}
	return out, nil
}
