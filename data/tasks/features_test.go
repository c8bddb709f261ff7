package tasks

import (
	"slices"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/tokenizer"
)

// A tiny vocabulary for inline tests (ids are line numbers).
const testVocab = `[PAD]
[UNK]
[CLS]
[SEP]
[MASK]
peter
black
##burn
u
n
.
lives
in
london
who
where
does
the
city
is
big
a
`

func testTokenizer(t *testing.T) *tokenizer.Tokenizer {
	t.Helper()
	v, err := tokenizer.ParseVocab([]byte(testVocab))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.New(v, tokenizer.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestClassificationFeatures(t *testing.T) {
	tok := testTokenizer(t)
	ex := []TextExample{
		{ID: "f:2", TextA: "Peter lives in London", TextB: "the city is big", Label: "pos"},
		{ID: "f:3", TextA: "who", Label: "neg"},
		{ID: "f:4", TextA: "who"},
	}
	labels, _ := NewLabelSet([]string{"neg", "pos"})
	// 12 tokens at most: [CLS] 4 [SEP] 4 [SEP] = 11 fits; with 9, longest_first
	// takes one token from each side (4+4 → 3+3).
	fs, err := ClassificationFeatures(tok, ex, labels, 9)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 5, 11, 12, 3, 17, 18, 19, 3}; !slices.Equal(fs[0].InputIDs, want) {
		t.Errorf("ids %v, want %v", fs[0].InputIDs, want)
	}
	if want := []int{0, 0, 0, 0, 0, 1, 1, 1, 1}; !slices.Equal(fs[0].TypeIDs, want) {
		t.Errorf("type ids %v", fs[0].TypeIDs)
	}
	if fs[0].Label != 1 || fs[1].Label != 0 || !fs[1].Labeled || fs[2].Labeled || fs[2].Label != -1 {
		t.Errorf("labels %+v", fs)
	}
	if !slices.Equal(fs[1].InputIDs, []int{2, 14, 3}) {
		t.Errorf("single sentence ids %v", fs[1].InputIDs)
	}
	// Regression: no label set, the label is the target.
	rs, err := ClassificationFeatures(tok, []TextExample{{ID: "s:2", TextA: "who", Label: "3.5"}}, nil, 0)
	if err != nil || rs[0].Target != 3.5 || !rs[0].Labeled {
		t.Errorf("regression %+v, %v", rs, err)
	}
	if _, err := ClassificationFeatures(tok, []TextExample{{ID: "f:9", TextA: "who", Label: "meh"}}, labels, 0); err == nil || !strings.Contains(err.Error(), "f:9") {
		t.Errorf("unknown label error %v", err)
	}
}

func TestTokenClassificationFeatures(t *testing.T) {
	tok := testTokenizer(t)
	tags, _ := NewLabelSet([]string{"O", "B-PER", "I-PER", "B-ORG", "I-ORG"})
	s := []TaggedSentence{{ID: "c:1", Words: []string{"Peter", "Blackburn", "U.N.", "lives"}, Tags: []string{"B-PER", "I-PER", "B-ORG", "O"}}}
	const ig = IgnoreLabel
	// Tokens: [CLS] peter black ##burn u . n . lives [SEP]
	tests := []struct {
		name   string
		opts   TokenOptions
		labels []int
	}{
		{"first piece only", TokenOptions{}, []int{ig, 1, 2, ig, 3, ig, ig, ig, 0, ig}},
		// Continuation pieces of a B- word take the I- tag.
		{"all pieces", TokenOptions{LabelAllTokens: true}, []int{ig, 1, 2, 2, 3, 4, 4, 4, 0, ig}},
		// Truncated to 6 tokens: "U.N." loses its last pieces, "lives" is gone.
		{"truncated", TokenOptions{MaxLength: 6}, []int{ig, 1, 2, ig, 3, ig}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := TokenClassificationFeatures(tok, s, tags, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			f := fs[0]
			if !slices.Equal(f.Labels, tc.labels) {
				t.Errorf("labels %v, want %v", f.Labels, tc.labels)
			}
			wantWords := []int{-1, 0, 1, 1, 2, 2, 2, 2, 3, -1}
			if tc.opts.MaxLength == 6 {
				wantWords = []int{-1, 0, 1, 1, 2, -1}
			}
			if !slices.Equal(f.WordIDs, wantWords) {
				t.Errorf("word ids %v, want %v", f.WordIDs, wantWords)
			}
		})
	}
	bad := []TaggedSentence{{ID: "c:7", Words: []string{"Peter"}, Tags: []string{"B-LOC"}}}
	if _, err := TokenClassificationFeatures(tok, bad, tags, TokenOptions{}); err == nil || !strings.Contains(err.Error(), "c:7") {
		t.Errorf("unknown tag error %v", err)
	}
}

func TestQAFeatures(t *testing.T) {
	tok := testTokenizer(t)
	// Context pieces: peter(0) lives(1) in(2) london(3) .(4) london(5) is(6) a(7) big(8) city(9) .(10)
	ctx := "Peter lives in London. London is a big city."
	ex := []QAExample{
		{ID: "q1", Question: "  where does peter", Context: ctx, Answers: []Answer{{Text: "London", Start: 15, Aligned: true}}},
		{ID: "q2", Question: "who", Context: ctx, IsImpossible: true},
		{ID: "q3", Question: "who", Context: ctx, Answers: []Answer{{Text: "London", Start: 3, Aligned: false}}},
	}
	// MaxLength 12 with the 3-piece question leaves 6 context tokens per
	// window; stride 2 → windows start at 0, 4, 8: [0,6) [4,10) [8,11).
	opts := QAOptions{MaxLength: 12, DocStride: 2, MaxQueryLength: 3}
	fs, skipped, err := PrepareTrainFeatures(tok, ex, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(skipped, []string{"q3"}) {
		t.Errorf("skipped %v, want the misaligned q3", skipped)
	}
	// q2's one-piece question leaves 8 context tokens: windows [0,8) [6,11).
	if len(fs) != 5 {
		t.Fatalf("%d features, want 3 windows for q1 and 2 for q2", len(fs))
	}
	// q1 window 0: [CLS] where does peter [SEP] peter lives in london . london [SEP]
	if want := []int{2, 15, 16, 5, 3, 5, 11, 12, 13, 10, 13, 3}; !slices.Equal(fs[0].InputIDs, want) {
		t.Errorf("window 0 ids %v, want %v", fs[0].InputIDs, want)
	}
	if want := []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}; !slices.Equal(fs[0].TypeIDs, want) {
		t.Errorf("window 0 type ids %v", fs[0].TypeIDs)
	}
	// The answer (context token 3) is at position 5+3 in window 0, absent
	// from window 1 ([4,10)) and window 2.
	for i, want := range [][2]int{{8, 8}, {0, 0}, {0, 0}} {
		if got := [2]int{fs[i].StartPosition, fs[i].EndPosition}; got != want {
			t.Errorf("q1 window %d positions %v, want %v", i, got, want)
		}
	}
	// The last window, "big city .", is padded: 3 context tokens + [SEP], then 3 [PAD].
	if want := []int{2, 15, 16, 5, 3, 20, 18, 10, 3, 0, 0, 0}; !slices.Equal(fs[2].InputIDs, want) {
		t.Errorf("window 2 ids %v, want %v", fs[2].InputIDs, want)
	}
	if !slices.Equal(fs[2].AttentionMask, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}) {
		t.Errorf("window 2 mask %v", fs[2].AttentionMask)
	}
	for _, f := range fs[3:] {
		if f.ExampleID != "q2" || f.ExampleIndex != 1 || f.StartPosition != 0 || f.EndPosition != 0 {
			t.Errorf("impossible question feature %+v", f)
		}
	}

	// MaxQueryLength 2 cuts "where does peter" to its first two pieces.
	cut, err := PrepareValidationFeatures(tok, ex[:1], QAOptions{MaxLength: 12, DocStride: 2, MaxQueryLength: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{2, 15, 16, 3, 5, 11, 12, 13, 10, 13, 19, 3}; !slices.Equal(cut[0].InputIDs, want) {
		t.Errorf("cut question window ids %v, want %v", cut[0].InputIDs, want)
	}

	vs, err := PrepareValidationFeatures(tok, ex[:1], opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 3 || vs[0].StartPosition != -1 {
		t.Fatalf("validation features %+v", vs)
	}
	// Offsets only on context tokens, in bytes of the context.
	wantOffs := [][2]int{{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}, {-1, -1},
		{0, 5}, {6, 11}, {12, 14}, {15, 21}, {21, 22}, {23, 29}, {-1, -1}}
	if !slices.Equal(vs[0].Offsets, wantOffs) {
		t.Errorf("offsets %v, want %v", vs[0].Offsets, wantOffs)
	}
	if _, err := PrepareValidationFeatures(tok, ex[:1], QAOptions{MaxLength: 8, DocStride: 2}); err == nil {
		t.Error("window with no room beyond the stride accepted")
	}
}

// TestQAWindowsMatchTokenizer checks the windows built here against the
// tokenizer's own only_second truncation with overflow and stride (HF's
// behaviour), for questions shorter than MaxQueryLength.
func TestQAWindowsMatchTokenizer(t *testing.T) {
	tok := testTokenizer(t)
	ctx := strings.Repeat("Peter lives in London. London is a big city. ", 5)
	for _, c := range []struct{ maxLen, stride int }{{12, 2}, {16, 5}, {20, 0}, {64, 8}} {
		ex := QAExample{ID: "q", Question: "where does peter", Context: ctx}
		fs, err := PrepareValidationFeatures(tok, []QAExample{ex}, QAOptions{MaxLength: c.maxLen, DocStride: c.stride, MaxQueryLength: 64})
		if err != nil {
			t.Fatal(err)
		}
		ref, err := tok.WithOptions(tokenizer.Options{MaxLength: c.maxLen, Truncation: tokenizer.OnlySecond,
			Stride: c.stride, ReturnOverflowing: true, Padding: tokenizer.PadMaxLength})
		if err != nil {
			t.Fatal(err)
		}
		enc, err := ref.EncodePair(ex.Question, ex.Context)
		if err != nil {
			t.Fatal(err)
		}
		encs := append([]tokenizer.Encoding{enc}, enc.Overflowing...)
		if len(encs) != len(fs) {
			t.Fatalf("max %d stride %d: %d windows, tokenizer gives %d", c.maxLen, c.stride, len(fs), len(encs))
		}
		for i, e := range encs {
			if !slices.Equal(fs[i].InputIDs, e.IDs) || !slices.Equal(fs[i].TypeIDs, e.TypeIDs) || !slices.Equal(fs[i].AttentionMask, e.AttentionMask) {
				t.Errorf("max %d stride %d window %d:\n got %v\nwant %v", c.maxLen, c.stride, i, fs[i].InputIDs, e.IDs)
			}
			for k := range e.IDs {
				want := [2]int{-1, -1}
				if e.SequenceIDs[k] == 1 {
					want = e.ByteOffsets[k]
				}
				if fs[i].Offsets[k] != want {
					t.Errorf("window %d token %d offset %v, want %v", i, k, fs[i].Offsets[k], want)
				}
			}
		}
	}
}
