package tasks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"unicode/utf8"
)

// TestQAWindowsMatchHFPipeline compares the windows with the input ids, token
// type ids and context offsets HuggingFace's question-answering pipeline fed
// to its model (shared/conformance/pipelines): same question-first layout,
// only_second truncation, max_seq_len and doc_stride, no question cut.
func TestQAWindowsMatchHFPipeline(t *testing.T) {
	path := sharedPath(t, "conformance/pipelines/question-answering.json")
	tok := uncasedTokenizer(t)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			ID           string
			KwargsInputs struct{ Question, Context string } `json:"kwargs_inputs"`
			Effective    map[string]any                     `json:"effective"` // max_seq_len, doc_stride actually used
			ModelIO      struct {
				Windows []struct {
					InputIDs     []int `json:"input_ids"`
					TokenTypeIDs []int `json:"token_type_ids"`
				} `json:"windows"`
				WindowTokenization []struct {
					Offsets     [][2]int `json:"offsets"`
					SequenceIDs []*int   `json:"sequence_ids"`
				} `json:"window_tokenization"`
			} `json:"model_io"`
		}
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	windows := 0
	for _, c := range file.Cases {
		maxLen := int(c.Effective["max_seq_len"].(float64))
		stride := int(c.Effective["doc_stride"].(float64))
		ex := QAExample{ID: c.ID, Question: c.KwargsInputs.Question, Context: c.KwargsInputs.Context}
		fs, err := PrepareValidationFeatures(tok, []QAExample{ex}, QAOptions{MaxLength: maxLen, DocStride: stride})
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		if len(fs) != len(c.ModelIO.Windows) {
			t.Errorf("%s: %d windows, HF %d", c.ID, len(fs), len(c.ModelIO.Windows))
			continue
		}
		// Code point index of every byte offset, to compare with HF's offsets.
		cp := make([]int, len(ex.Context)+1)
		n := 0
		for i := range ex.Context {
			cp[i] = n
			n++
		}
		cp[len(ex.Context)] = utf8.RuneCountInString(ex.Context)
		for w, ref := range c.ModelIO.Windows {
			f := fs[w]
			m := len(ref.InputIDs) // HF did not pad; the rest here must be padding
			if !slices.Equal(f.InputIDs[:m], ref.InputIDs) || !slices.Equal(f.TypeIDs[:m], ref.TokenTypeIDs) ||
				slices.ContainsFunc(f.AttentionMask[m:], func(v int) bool { return v != 0 }) {
				t.Errorf("%s window %d: ids differ from HF's", c.ID, w)
				continue
			}
			tokz := c.ModelIO.WindowTokenization[w]
			for k := range m {
				if s := tokz.SequenceIDs[k]; s != nil && *s == 1 {
					got := [2]int{cp[f.Offsets[k][0]], cp[f.Offsets[k][1]]}
					if got != tokz.Offsets[k] {
						t.Errorf("%s window %d token %d: offsets %v, HF %v", c.ID, w, k, got, tokz.Offsets[k])
					}
				} else if f.Offsets[k] != [2]int{-1, -1} {
					t.Errorf("%s window %d token %d: offset %v on a non-context token", c.ID, w, k, f.Offsets[k])
				}
			}
			windows++
		}
	}
	t.Logf("%d cases, %d windows identical to HF's", len(file.Cases), windows)
}

// TestSQuADTrainFeaturesReal builds BERT's SQuAD training features for the
// shared train subset and checks every labelled window: the tokens from
// StartPosition to EndPosition must cover the answer, and be the tightest
// such span.
func TestSQuADTrainFeaturesReal(t *testing.T) {
	if testing.Short() {
		t.Skip("tokenizes 11,877 SQuAD questions")
	}
	dir := sharedDatasets(t)
	tok := uncasedTokenizer(t)
	ex, _, err := ReadSQuAD(filepath.Join(dir, "squad_v1.1", "train-subset.json"))
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultQAOptions()
	train, skipped, err := PrepareTrainFeatures(tok, ex, opts)
	if err != nil {
		t.Fatal(err)
	}
	val, err := PrepareValidationFeatures(tok, ex, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 0 || len(train) != len(val) {
		t.Fatalf("%d train features (%d examples skipped), %d validation features", len(train), len(skipped), len(val))
	}
	labelled := 0
	covered := map[string]bool{}
	for i, f := range train {
		v := val[i]
		if len(f.InputIDs) != opts.MaxLength || v.ExampleID != f.ExampleID {
			t.Fatalf("feature %d: length %d, ids %s/%s", i, len(f.InputIDs), f.ExampleID, v.ExampleID)
		}
		if f.StartPosition == 0 {
			continue
		}
		labelled++
		covered[f.ExampleID] = true
		a := ex[f.ExampleIndex].Answers[0]
		s, e := v.Offsets[f.StartPosition], v.Offsets[f.EndPosition]
		if s[0] < 0 || e[0] < 0 || s[0] > a.Start || e[1] < a.End() || f.StartPosition > f.EndPosition {
			t.Fatalf("feature %d (%s): tokens %d..%d span bytes %d..%d, answer %d..%d", i, f.ExampleID, f.StartPosition, f.EndPosition, s[0], e[1], a.Start, a.End())
		}
		// Tightest: the next token starts after the answer start, the previous
		// token ends before the answer end.
		if next := v.Offsets[f.StartPosition+1]; next[0] >= 0 && next[0] <= a.Start {
			t.Fatalf("feature %d: start token %d is not the last one starting at or before the answer", i, f.StartPosition)
		}
		if prev := v.Offsets[f.EndPosition-1]; f.EndPosition-1 > f.StartPosition && prev[1] >= a.End() {
			t.Fatalf("feature %d: end token %d is not the first one reaching the answer end", i, f.EndPosition)
		}
	}
	// Every answer lies in at least one window (windows overlap by 128 tokens
	// and SQuAD answers are short).
	if len(covered) != len(ex) {
		t.Errorf("%d of %d examples have their answer in some window", len(covered), len(ex))
	}
	t.Logf("SQuAD train subset: %d examples → %d features (%d with the answer, %d [CLS])", len(ex), len(train), labelled, len(train)-labelled)
}

// TestCoNLLFeaturesReal aligns CoNLL-2003 dev to bert-base-uncased pieces:
// without truncation every word must get exactly one labelled piece.
func TestCoNLLFeaturesReal(t *testing.T) {
	dir := sharedDatasets(t)
	tok := uncasedTokenizer(t)
	sents, err := ReadCoNLL(filepath.Join(dir, "conll2003", "dev.txt"), CoNLLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tags := BuildTagSet(sents)
	fs, err := TokenClassificationFeatures(tok, sents, tags, TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pieces := 0
	for i, f := range fs {
		var got []string
		for k, l := range f.Labels {
			if l != IgnoreLabel {
				got = append(got, tags.Name(l))
				if f.WordIDs[k] != len(got)-1 {
					t.Fatalf("%s: labelled piece %d belongs to word %d, want %d", f.SentenceID, k, f.WordIDs[k], len(got)-1)
				}
			}
		}
		if !slices.Equal(got, sents[i].Tags) {
			t.Fatalf("%s: labels %q, want %q (words %q)", f.SentenceID, got, sents[i].Tags, sents[i].Words)
		}
		pieces += len(f.InputIDs)
	}
	t.Logf("CoNLL-2003 dev: %d sentences → %d pieces with [CLS]/[SEP], tags %q", len(fs), pieces, tags.Names())
}

// TestSST2FeaturesReal encodes SST-2 dev at BERT's GLUE max length 128.
func TestSST2FeaturesReal(t *testing.T) {
	dir := sharedDatasets(t)
	tok := uncasedTokenizer(t)
	ex, err := ReadTable(filepath.Join(dir, "sst2", "dev.tsv"), TableOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := ClassificationFeatures(tok, ex, BuildLabelSet(ex), 128)
	if err != nil {
		t.Fatal(err)
	}
	longest := 0
	for _, f := range fs {
		longest = max(longest, len(f.InputIDs))
	}
	// The first dev sentence, "it 's a charming and often affecting journey . ".
	want := []string{"[CLS]", "it", "'", "s", "a", "charming", "and", "often", "affecting", "journey", ".", "[SEP]"}
	var got []string
	for _, id := range fs[0].InputIDs {
		s, _ := tok.Token(id)
		got = append(got, s)
	}
	if !slices.Equal(got, want) || fs[0].Label != 1 || longest > 128 {
		t.Errorf("first feature %q label %d, longest %d", got, fs[0].Label, longest)
	}
	t.Logf("SST-2 dev: %d features, longest %d tokens", len(fs), longest)
}
