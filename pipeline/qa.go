package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gorbert/gorbert/tokenizer"
)

// QAInput is a question about a context of any length.
type QAInput struct {
	Question string `json:"question"`
	Context  string `json:"context"`
}

// UnmarshalJSON requires both fields.
func (in *QAInput) UnmarshalJSON(data []byte) error {
	var obj struct {
		Question *string `json:"question"`
		Context  *string `json:"context"`
	}
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	if obj.Question == nil || obj.Context == nil {
		return errors.New(`want {"question": ..., "context": ...}`)
	}
	in.Question, in.Context = *obj.Question, *obj.Context
	return nil
}

// QAOptions are question-answering's arguments; zero values take
// HuggingFace's defaults.
type QAOptions struct {
	TopK int // answers to return; default 1
	// MaxSeqLen is the window length in tokens; default
	// min(ModelMaxLength, 384).
	MaxSeqLen int
	// DocStride is how many context tokens consecutive windows share;
	// default min(MaxSeqLen/2, 128).
	DocStride int
	// MaxQuestionLen is accepted for HuggingFace compatibility and, as there
	// with a fast tokenizer, does nothing: the question is never cut.
	MaxQuestionLen int
	MaxAnswerLen   int // longest answer in tokens; default 15
	// HandleImpossible adds the empty "no answer" with the lowest [CLS]
	// score over the windows.
	HandleImpossible bool
	// NoAlignToWords maps answers to their tokens' characters instead of
	// widening them to whole words (align_to_words=False).
	NoAlignToWords bool
}

// Answer is one answer: Start and End are code point offsets into the
// context (Python indices), StartByte and EndByte the same in bytes, and
// Answer the context's text between them.
type Answer struct {
	Score     float64 `json:"score"`
	Start     int     `json:"start"`
	End       int     `json:"end"`
	Answer    string  `json:"answer"`
	StartByte int     `json:"start_byte"`
	EndByte   int     `json:"end_byte"`
}

// QAResult is one question's answers, best first. It marshals as
// HuggingFace returns it: a single answer as a bare object, else a list.
type QAResult struct {
	Answers []Answer
}

// MarshalJSON writes HuggingFace's shape.
func (r QAResult) MarshalJSON() ([]byte, error) {
	if len(r.Answers) == 1 {
		return json.Marshal(r.Answers[0])
	}
	return json.Marshal(r.Answers)
}

// qaWindow is one window of one input.
type qaWindow struct {
	input int
	enc   tokenizer.Encoding
}

// AnswerQuestions finds the answers to each question in its context.
// Contexts longer than a window are cut into overlapping windows; every
// window is scored on its own and the answers merged.
func (p *Pipeline) AnswerQuestions(inputs []QAInput, opts QAOptions) ([]QAResult, error) {
	o, err := p.qaDefaults(opts)
	if err != nil {
		return nil, err
	}
	tok, err := p.Tokenizer.WithOptions(tokenizer.Options{
		MaxLength: o.MaxSeqLen, Truncation: tokenizer.OnlySecond, Stride: o.DocStride, ReturnOverflowing: true,
	})
	if err != nil {
		return nil, err
	}
	var windows []qaWindow
	for i, in := range inputs {
		if in.Question == "" {
			return nil, &InputError{i, errors.New("question cannot be empty")}
		}
		if in.Context == "" {
			return nil, &InputError{i, errors.New("context cannot be empty")}
		}
		enc, err := tok.EncodePair(in.Question, in.Context)
		if err != nil {
			return nil, &InputError{i, err}
		}
		over := enc.Overflowing
		enc.Overflowing = nil
		windows = append(windows, qaWindow{i, enc})
		for _, w := range over {
			windows = append(windows, qaWindow{i, w})
		}
	}
	rows := make([]seq, len(windows))
	for k, w := range windows {
		rows[k] = seq{ids: w.enc.IDs, types: w.enc.TypeIDs}
	}
	out, err := p.forward(rows, p.Config.HiddenSize, "start_logits", "end_logits")
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) { // a window: name its input
			err = &InputError{windows[ie.Index].input, ie.Err}
		}
		return nil, fmt.Errorf("question-answering: %w", err)
	}

	answers := make([][]Answer, len(inputs))
	minNull := make([]float64, len(inputs))
	for i := range minNull {
		minNull[i] = 1e6
	}
	for k, w := range windows {
		i := w.input
		answers[i], minNull[i] = p.windowAnswers(inputs[i].Context, w.enc, out[0][k], out[1][k], o, answers[i], minNull[i])
	}
	results := make([]QAResult, len(inputs))
	for i, as := range answers {
		if o.HandleImpossible {
			as = append(as, Answer{Score: minNull[i]})
		}
		sort.SliceStable(as, func(a, b int) bool { return as[a].Score > as[b].Score })
		if len(as) > o.TopK {
			as = as[:o.TopK]
		}
		results[i] = QAResult{Answers: as}
	}
	return results, nil
}

// qaDefaults fills in HuggingFace's defaults and checks the arguments.
func (p *Pipeline) qaDefaults(o QAOptions) (QAOptions, error) {
	if o.TopK == 0 {
		o.TopK = 1
	}
	if o.MaxAnswerLen == 0 {
		o.MaxAnswerLen = 15
	}
	if o.MaxSeqLen == 0 {
		o.MaxSeqLen = min(p.ModelMaxLength, 384)
	}
	if o.DocStride == 0 {
		o.DocStride = min(o.MaxSeqLen/2, 128)
	}
	switch {
	case o.TopK < 1:
		return o, fmt.Errorf("question-answering: top_k must be at least 1, got %d", o.TopK)
	case o.MaxAnswerLen < 1:
		return o, fmt.Errorf("question-answering: max_answer_len must be at least 1, got %d", o.MaxAnswerLen)
	case o.MaxSeqLen < 1 || o.DocStride < 0 || o.MaxQuestionLen < 0:
		return o, errors.New("question-answering: max_seq_len must be positive, doc_stride and max_question_len not negative")
	case o.DocStride > o.MaxSeqLen:
		return o, fmt.Errorf("question-answering: doc_stride (%d) is larger than max_seq_len (%d)", o.DocStride, o.MaxSeqLen)
	}
	return o, nil
}

// span is one (start, end) token pair and its score.
type span struct {
	s, e  int
	score float32
}

// windowAnswers scores one window's spans and merges its answers into
// answers (HuggingFace's select_starts_ends, decode_spans and the answer
// merge of postprocess). It returns the answers and the updated null score.
func (p *Pipeline) windowAnswers(context string, enc tokenizer.Encoding, startLogits, endLogits []float32, o QAOptions, answers []Answer, minNull float64) ([]Answer, float64) {
	S := enc.Len()
	// Candidates: context tokens and [CLS]; everything else gets -10000.
	allowed := make([]bool, S)
	st := make([]float32, S)
	en := make([]float32, S)
	for j := 0; j < S; j++ {
		allowed[j] = enc.SequenceIDs[j] == 1 || enc.IDs[j] == p.Tokenizer.CLSID()
		st[j], en[j] = startLogits[j], endLogits[j]
		if !allowed[j] {
			st[j], en[j] = -10000, -10000
		}
	}
	ps, pe := softmax(st), softmax(en)
	if o.HandleImpossible {
		minNull = math.Min(minNull, float64(ps[0]*pe[0]))
	}
	ps[0], pe[0] = 0, 0

	// The preTopK best entries of the S×S score matrix (s <= e < s+MaxAnswerLen,
	// 0 elsewhere), best first; zero entries fill up in row-major order.
	preTopK := o.TopK
	if !o.NoAlignToWords {
		preTopK = 2*o.TopK + 10
	}
	var pos []span
	for s := 0; s < S; s++ {
		for e := s; e < min(S, s+o.MaxAnswerLen); e++ {
			if sc := ps[s] * pe[e]; sc > 0 {
				pos = append(pos, span{s, e, sc})
			}
		}
	}
	sort.SliceStable(pos, func(a, b int) bool { return pos[a].score > pos[b].score })
	spans := pos[:min(len(pos), preTopK)]
	if len(spans) < preTopK {
		positive := map[int]bool{}
		for _, sp := range pos {
			positive[sp.s*S+sp.e] = true
		}
		for flat := 0; flat < S*S && len(spans) < preTopK; flat++ {
			if !positive[flat] {
				spans = append(spans, span{flat / S, flat % S, 0})
			}
		}
	}

	for _, sp := range spans {
		if !allowed[sp.s] || !allowed[sp.e] {
			continue
		}
		a := p.spanChars(context, enc, sp.s, sp.e, !o.NoAlignToWords)
		a.Score = float64(sp.score)
		merged := false
		for k := range answers {
			if strings.ToLower(answers[k].Answer) == strings.ToLower(a.Answer) {
				answers[k].Score += a.Score
				merged = true
				break
			}
		}
		if !merged {
			answers = append(answers, a)
		}
	}
	return answers, minNull
}

// spanChars maps tokens s..e to characters of the context: with align, from
// the start of s's word to the end of e's word (the word's tokens in this
// window), else — and when s or e has no word, as [CLS] — the tokens' own
// offsets.
func (p *Pipeline) spanChars(context string, enc tokenizer.Encoding, s, e int, align bool) Answer {
	cs, ce := enc.Offsets[s][0], enc.Offsets[e][1]
	bs, be := enc.ByteOffsets[s][0], enc.ByteOffsets[e][1]
	if align && enc.WordIDs[s] >= 0 && enc.WordIDs[e] >= 0 {
		first, last := -1, -1
		for j := range enc.IDs {
			if enc.SequenceIDs[j] != 1 {
				continue
			}
			if enc.WordIDs[j] == enc.WordIDs[s] && first < 0 {
				first = j
			}
			if enc.WordIDs[j] == enc.WordIDs[e] {
				last = j
			}
		}
		if first >= 0 && last >= 0 {
			cs, bs = enc.Offsets[first][0], enc.ByteOffsets[first][0]
			ce, be = enc.Offsets[last][1], enc.ByteOffsets[last][1]
		}
	}
	a := Answer{Start: cs, End: ce, StartByte: bs, EndByte: be}
	if be > bs {
		a.Answer = context[bs:be]
	}
	return a
}
