package pipeline

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gorbert/gorbert/tokenizer"
)

// Aggregation strategies of token classification.
const (
	AggregateNone    = "none"    // one entity per token
	AggregateSimple  = "simple"  // per-token entities grouped by B-/I- tags
	AggregateFirst   = "first"   // words take their first token's label
	AggregateAverage = "average" // words take the label of their tokens' mean probabilities
	AggregateMax     = "max"     // words take the label of their most confident token
)

// NEROptions are token-classification's arguments.
type NEROptions struct {
	Aggregation string // one of the Aggregate constants; "" = none
	// IgnoreLabels drops entities (none) or groups (other strategies) with
	// these labels. nil means HuggingFace's default ["O"]; an empty non-nil
	// slice keeps everything.
	IgnoreLabels []string
}

// Entity is one token (aggregation none) or one group of tokens or words.
// Start and End are code point offsets into the text (Python indices), end
// exclusive; StartByte and EndByte the same span in bytes.
type Entity struct {
	Entity      string  `json:"entity,omitempty"`       // the token's label (none)
	EntityGroup string  `json:"entity_group,omitempty"` // the group's tag (other strategies)
	Score       float64 `json:"score"`
	Index       int     `json:"index,omitempty"` // token position, [CLS] = 0 (none)
	Word        string  `json:"word"`
	Start       int     `json:"start"`
	End         int     `json:"end"`
	StartByte   int     `json:"start_byte"`
	EndByte     int     `json:"end_byte"`
}

// nerToken is one non-special token with its label probabilities.
type nerToken struct {
	word               string
	scores             []float32
	index              int
	start, end         int
	startByte, endByte int
	subword            bool
}

// labelled is an entity before grouping.
type labelled struct {
	label string
	score float64
	nerToken
}

// NER labels the tokens of each text and aggregates them into entities.
// Texts longer than ModelMaxLength tokens are truncated to it.
func (p *Pipeline) NER(texts []string, opts NEROptions) ([][]Entity, error) {
	strategy := opts.Aggregation
	if strategy == "" {
		strategy = AggregateNone
	}
	switch strategy {
	case AggregateNone, AggregateSimple, AggregateFirst, AggregateAverage, AggregateMax:
	default:
		return nil, fmt.Errorf("token-classification: unknown aggregation strategy %q (want none, simple, first, average or max)", strategy)
	}
	ignore := opts.IgnoreLabels
	if ignore == nil {
		ignore = []string{"O"}
	}
	tok, err := p.Tokenizer.WithOptions(tokenizer.Options{MaxLength: p.ModelMaxLength, Truncation: tokenizer.LongestFirst})
	if err != nil {
		return nil, err
	}
	encs := make([]tokenizer.Encoding, len(texts))
	rows := make([]seq, len(texts))
	for i, text := range texts {
		if encs[i], err = tok.Encode(text); err != nil {
			return nil, &InputError{i, err}
		}
		rows[i] = seq{ids: encs[i].IDs, types: encs[i].TypeIDs}
	}
	out, err := p.forward(rows, p.Config.HiddenSize, "logits")
	if err != nil {
		return nil, fmt.Errorf("token-classification: %w", err)
	}
	labels := p.Config.Labels()
	L := len(labels)
	results := make([][]Entity, len(texts))
	for i, text := range texts {
		toks := p.nerTokens(text, encs[i], out[0][i], L)
		var ents []labelled
		switch strategy {
		case AggregateNone, AggregateSimple:
			for _, t := range toks {
				j := argmax(t.scores)
				ents = append(ents, labelled{labels[j], float64(t.scores[j]), t})
			}
		default:
			ents = p.aggregateWords(toks, strategy, labels)
		}
		var res []Entity
		if strategy == AggregateNone {
			for _, e := range ents {
				res = append(res, Entity{Entity: e.label, Score: e.score, Index: e.index, Word: e.word,
					Start: e.start, End: e.end, StartByte: e.startByte, EndByte: e.endByte})
			}
		} else {
			res = p.groupEntities(ents)
		}
		kept := []Entity{}
		for _, e := range res {
			if !contains(ignore, e.Entity) && !contains(ignore, e.EntityGroup) {
				kept = append(kept, e)
			}
		}
		results[i] = kept
	}
	return results, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s && s != "" {
			return true
		}
	}
	return false
}

// nerTokens turns an encoding and its logits [S·L] into the non-special
// tokens with their probabilities (HuggingFace's gather_pre_entities). A
// token is a subword when its string's length differs from the length of the
// text it covers; an [UNK] token takes the original text as its word and is
// never a subword.
func (p *Pipeline) nerTokens(text string, enc tokenizer.Encoding, logits []float32, L int) []nerToken {
	var toks []nerToken
	for j, id := range enc.IDs {
		if enc.SpecialTokensMask[j] == 1 {
			continue
		}
		off, boff := enc.Offsets[j], enc.ByteOffsets[j]
		ref := text[boff[0]:boff[1]]
		t := nerToken{
			word: enc.Tokens[j], scores: softmax(logits[j*L : (j+1)*L]), index: j,
			start: off[0], end: off[1], startByte: boff[0], endByte: boff[1],
		}
		t.subword = utf8.RuneCountInString(t.word) != off[1]-off[0]
		if id == p.Tokenizer.UnkID() {
			t.word, t.subword = ref, false
		}
		toks = append(toks, t)
	}
	return toks
}

// aggregateWords merges tokens into words (a subword joins the previous
// token's word) and labels each word by the strategy first, max or average.
func (p *Pipeline) aggregateWords(toks []nerToken, strategy string, labels []string) []labelled {
	var words [][]nerToken
	for _, t := range toks {
		if len(words) > 0 && t.subword {
			words[len(words)-1] = append(words[len(words)-1], t)
		} else {
			words = append(words, []nerToken{t})
		}
	}
	var out []labelled
	for _, w := range words {
		var scores []float32
		switch strategy {
		case AggregateFirst:
			scores = w[0].scores
		case AggregateMax:
			best := 0
			for k, t := range w {
				if maxOf(t.scores) > maxOf(w[best].scores) {
					best = k
				}
			}
			scores = w[best].scores
		case AggregateAverage:
			sum := make([]float64, len(labels))
			for _, t := range w {
				for k, s := range t.scores {
					sum[k] += float64(s)
				}
			}
			scores = make([]float32, len(labels))
			for k := range sum {
				scores[k] = float32(sum[k] / float64(len(w)))
			}
		}
		pieces := make([]string, len(w))
		for k, t := range w {
			pieces[k] = t.word
		}
		j := argmax(scores)
		first, last := w[0], w[len(w)-1]
		out = append(out, labelled{labels[j], float64(scores[j]), nerToken{
			word: p.tokensToString(pieces), start: first.start, end: last.end,
			startByte: first.startByte, endByte: last.endByte,
		}})
	}
	return out
}

func maxOf(v []float32) float32 { return v[argmax(v)] }

// tag splits a label into its B/I prefix and its tag: B-X and I-X have tag X,
// any other label is its own tag with prefix I.
func tag(label string) (bi, t string) {
	switch {
	case strings.HasPrefix(label, "B-"):
		return "B", label[2:]
	case strings.HasPrefix(label, "I-"):
		return "I", label[2:]
	}
	return "I", label
}

// groupEntities walks the entities in order: one joins the current group when
// its tag equals that of the group's last member and its prefix is not B.
// A group is named by its first label without the part up to the first '-',
// scored by the mean of its members, and spans first start to last end.
func (p *Pipeline) groupEntities(ents []labelled) []Entity {
	var groups [][]labelled
	for _, e := range ents {
		if n := len(groups); n > 0 {
			bi, t := tag(e.label)
			_, last := tag(groups[n-1][len(groups[n-1])-1].label)
			if t == last && bi != "B" {
				groups[n-1] = append(groups[n-1], e)
				continue
			}
		}
		groups = append(groups, []labelled{e})
	}
	out := make([]Entity, 0, len(groups))
	for _, g := range groups {
		name := g[0].label
		if k := strings.Index(name, "-"); k >= 0 {
			name = name[k+1:]
		}
		var sum float64
		words := make([]string, len(g))
		for k, e := range g {
			sum += e.score
			words[k] = e.word
		}
		first, last := g[0], g[len(g)-1]
		out = append(out, Entity{EntityGroup: name, Score: sum / float64(len(g)), Word: p.tokensToString(words),
			Start: first.start, End: last.end, StartByte: first.startByte, EndByte: last.endByte})
	}
	return out
}

// tokensToString is convert_tokens_to_string, the tokenizers library's
// WordPiece decoder: the first token verbatim, each later one glued to the
// previous when it starts with the continuation prefix, else after a space;
// then the decoder's cleanup on each token alone.
func (p *Pipeline) tokensToString(tokens []string) string {
	prefix := p.Tokenizer.Config().Prefix
	var b strings.Builder
	for i, t := range tokens {
		if i > 0 {
			if prefix != "" && strings.HasPrefix(t, prefix) {
				t = t[len(prefix):]
			} else {
				t = " " + t
			}
		}
		for k := 0; k < len(wordPieceCleanup); k += 2 {
			t = strings.ReplaceAll(t, wordPieceCleanup[k], wordPieceCleanup[k+1])
		}
		b.WriteString(t)
	}
	return b.String()
}

// wordPieceCleanup is the WordPiece decoder's cleanup, (old, new) pairs
// applied in order.
var wordPieceCleanup = []string{
	" .", ".", " ?", "?", " !", "!", " ,", ",", " ' ", "'", " n't", "n't",
	" 'm", "'m", " do not", " don't", " 's", "'s", " 've", "'ve", " 're", "'re",
}
