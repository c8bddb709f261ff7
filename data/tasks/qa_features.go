package tasks

import (
	"fmt"
	"strings"

	"github.com/gorbert/gorbert/tokenizer"
)

// QAOptions are the windowing settings of question-answering features.
type QAOptions struct {
	MaxLength int // tokens per window, [CLS] question [SEP] context [SEP] and padding; 384
	// DocStride is how many context tokens a window shares with the previous
	// one (HuggingFace's stride; 128). Note google-research's run_squad uses
	// doc_stride as the step between window starts instead.
	DocStride int
	// MaxQueryLength cuts the question to this many word pieces before the
	// context is windowed, as google-research's run_squad does (64); 0 keeps
	// the whole question, as HuggingFace's run_qa.py does.
	MaxQueryLength int
}

// DefaultQAOptions are the settings of BERT's SQuAD runs.
func DefaultQAOptions() QAOptions {
	return QAOptions{MaxLength: 384, DocStride: 128, MaxQueryLength: 64}
}

// QAFeature is one window of one question: [CLS] question [SEP] part of the
// context [SEP], padded to MaxLength.
type QAFeature struct {
	ExampleID     string // the QAExample's id; an example yields one or more windows
	ExampleIndex  int    // its index in the examples given
	InputIDs      []int
	TypeIDs       []int
	AttentionMask []int
	// Offsets are, for context tokens, the byte span of the token in the
	// example's Context; {-1, -1} for the question, special and padding
	// tokens, so that a predicted span can only be read from the context
	// (HuggingFace sets those to None). Filled by PrepareValidationFeatures.
	Offsets [][2]int
	// StartPosition and EndPosition are the token positions of the first and
	// last answer token, or 0 and 0 ([CLS]) when this window does not contain
	// the whole answer or the question has none. Filled by
	// PrepareTrainFeatures; -1 in validation features.
	StartPosition, EndPosition int
}

// PrepareTrainFeatures is HuggingFace's prepare_train_features (run_qa.py)
// with google-research's question cut: questions are left-stripped and cut to
// MaxQueryLength pieces, the context is split into windows of the tokens left
// by MaxLength overlapping by DocStride, and each window is labelled with the
// tokens of the first gold answer, or [CLS] when the window does not hold all
// of it or the question is unanswerable.
//
// An example whose first answer's answer_start does not point at its text is
// skipped (its id is returned in skipped), as HuggingFace's and
// google-research's SQuAD code skip an answer they cannot find: training on a
// wrong span teaches the wrong thing.
func PrepareTrainFeatures(tok *tokenizer.Tokenizer, examples []QAExample, opts QAOptions) (features []QAFeature, skipped []string, err error) {
	for i, ex := range examples {
		if !ex.IsImpossible && (len(ex.Answers) == 0 || !ex.Answers[0].Aligned) {
			skipped = append(skipped, ex.ID)
			continue
		}
		windows, err := qaWindows(tok, ex, opts)
		if err != nil {
			return nil, nil, err
		}
		for _, w := range windows {
			f := w.feature(ex.ID, i, opts.MaxLength, tok.PadID())
			f.Offsets = nil // not needed for training; it is most of the feature's memory
			if !ex.IsImpossible {
				f.StartPosition, f.EndPosition = w.answerTokens(ex.Answers[0].Start, ex.Answers[0].End())
			}
			features = append(features, f)
		}
	}
	return features, skipped, nil
}

// PrepareValidationFeatures is HuggingFace's prepare_validation_features:
// the same windows as PrepareTrainFeatures, each with its example's id and the
// context offsets of its tokens, from which the predicted start and end
// tokens are mapped back to answer text.
func PrepareValidationFeatures(tok *tokenizer.Tokenizer, examples []QAExample, opts QAOptions) ([]QAFeature, error) {
	var features []QAFeature
	for i, ex := range examples {
		windows, err := qaWindows(tok, ex, opts)
		if err != nil {
			return nil, err
		}
		for _, w := range windows {
			f := w.feature(ex.ID, i, opts.MaxLength, tok.PadID())
			f.StartPosition, f.EndPosition = -1, -1
			features = append(features, f)
		}
	}
	return features, nil
}

// qaWindow is one window before padding: the question's piece ids and a range
// of the context's pieces.
type qaWindow struct {
	cls, sep   int
	question   []int
	context    []int    // piece ids of the window's context tokens
	offsets    [][2]int // their byte spans in the context
	firstToken int      // position of the first context token: 2 + len(question)
}

// qaWindows tokenizes the question and the context separately and cuts the
// context into windows. Building the pairs here instead of asking the
// tokenizer for only_second overflow is what lets the question be cut to
// MaxQueryLength pieces exactly; the windows themselves follow the
// tokenizers library (each starts DocStride tokens before the previous one
// ends, the last one ends with the context), which the tests check against
// the tokenizer's own overflow.
func qaWindows(tok *tokenizer.Tokenizer, ex QAExample, opts QAOptions) ([]qaWindow, error) {
	plain, err := tok.WithOptions(tokenizer.Options{})
	if err != nil {
		return nil, err
	}
	// Some SQuAD questions start with a lot of white space; HF strips it on
	// the left so it cannot eat into the budget (BERT's tokenizer drops it
	// anyway).
	q, err := plain.Encode(strings.TrimLeft(ex.Question, " \t\n\r"))
	if err != nil {
		return nil, fmt.Errorf("question %s: %w", ex.ID, err)
	}
	c, err := plain.Encode(ex.Context)
	if err != nil {
		return nil, fmt.Errorf("question %s: context: %w", ex.ID, err)
	}
	question := q.IDs[1 : q.Len()-1] // drop [CLS] and [SEP]
	if opts.MaxQueryLength > 0 && len(question) > opts.MaxQueryLength {
		question = question[:opts.MaxQueryLength]
	}
	ctxIDs := c.IDs[1 : c.Len()-1]
	ctxOffs := c.ByteOffsets[1 : c.Len()-1]

	budget := opts.MaxLength - len(question) - 3
	if budget <= opts.DocStride {
		return nil, fmt.Errorf("question %s: %d tokens of the %d per window are left for the context after the %d-token question, not more than the stride %d",
			ex.ID, max(budget, 0), opts.MaxLength, len(question), opts.DocStride)
	}
	var ws []qaWindow
	for start := 0; ; start += budget - opts.DocStride {
		stop := min(start+budget, len(ctxIDs))
		ws = append(ws, qaWindow{
			cls: tok.CLSID(), sep: tok.SEPID(), question: question,
			context: ctxIDs[start:stop], offsets: ctxOffs[start:stop], firstToken: len(question) + 2,
		})
		if stop == len(ctxIDs) {
			return ws, nil
		}
	}
}

// feature lays the window out as [CLS] question [SEP] context [SEP] [PAD]...
func (w qaWindow) feature(id string, index, maxLength, padID int) QAFeature {
	f := QAFeature{
		ExampleID: id, ExampleIndex: index,
		InputIDs: make([]int, 0, maxLength), TypeIDs: make([]int, 0, maxLength),
		AttentionMask: make([]int, maxLength), Offsets: make([][2]int, 0, maxLength),
	}
	none := [2]int{-1, -1}
	add := func(id, typ int, off [2]int) {
		f.InputIDs = append(f.InputIDs, id)
		f.TypeIDs = append(f.TypeIDs, typ)
		f.Offsets = append(f.Offsets, off)
	}
	add(w.cls, 0, none)
	for _, id := range w.question {
		add(id, 0, none)
	}
	add(w.sep, 0, none)
	for k, id := range w.context {
		add(id, 1, w.offsets[k])
	}
	add(w.sep, 1, none)
	for k := range f.InputIDs {
		f.AttentionMask[k] = 1
	}
	for len(f.InputIDs) < maxLength {
		add(padID, 0, none)
	}
	return f
}

// answerTokens returns the window positions of the first and last token of
// the answer spanning bytes [start, end) of the context, or 0, 0 ([CLS]) if
// the window's context does not cover the whole answer. It is run_qa.py's
// search restricted to context tokens (run_qa.py's start search can run on
// into [SEP] and padding when the answer starts in a window's last token).
func (w qaWindow) answerTokens(start, end int) (int, int) {
	n := len(w.offsets)
	if n == 0 || w.offsets[0][0] > start || w.offsets[n-1][1] < end {
		return 0, 0
	}
	// The last token starting at or before the answer, and the first token
	// ending at or after its end.
	s := 0
	for s+1 < n && w.offsets[s+1][0] <= start {
		s++
	}
	e := n - 1
	for e-1 >= 0 && w.offsets[e-1][1] >= end {
		e--
	}
	return w.firstToken + s, w.firstToken + e
}
