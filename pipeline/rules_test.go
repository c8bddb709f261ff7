package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/tokenizer"
)

// tinyPipeline has a tokenizer over a small vocabulary and no model: enough
// for the post-processing rules.
func tinyPipeline(t *testing.T) *Pipeline {
	t.Helper()
	v, err := tokenizer.NewVocab([]string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "st", ".", "louis", "don", "'", "t", "##ing", "well", "go", "##rgo"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.New(v, tokenizer.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return &Pipeline{Tokenizer: tok}
}

func TestTokensToString(t *testing.T) {
	p := tinyPipeline(t)
	for _, c := range []struct {
		in   []string
		want string
	}{
		{[]string{"st", ".", "louis"}, "st. louis"},
		{[]string{"don", "'", "t"}, "don ' t"}, // the per-token cleanup never sees " ' "
		{[]string{"##ing", "well"}, "##ing well"},
		{[]string{"go", "##rgo", "##nia"}, "gorgonia"},
		{[]string{"polly", "'"}, "polly '"},
		{[]string{"hello", ",", "world", "!"}, "hello, world!"},
		{nil, ""},
	} {
		if got := p.tokensToString(c.in); got != c.want {
			t.Errorf("tokensToString(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestGroupEntities(t *testing.T) {
	p := tinyPipeline(t)
	ent := func(label string, score float64, word string, start, end int) labelled {
		return labelled{label, score, nerToken{word: word, start: start, end: end, startByte: start, endByte: end}}
	}
	for _, c := range []struct {
		name string
		in   []labelled
		want []string // entity_group:word:start-end:score
	}{
		{"B then I joins", []labelled{ent("B-PER", 0.5, "tom", 0, 3), ent("I-PER", 0.7, "sawyer", 4, 10)},
			[]string{"PER:tom sawyer:0-10:0.6"}},
		{"two B start two groups", []labelled{ent("B-PER", 0.5, "tom", 0, 3), ent("B-PER", 0.7, "joe", 4, 7)},
			[]string{"PER:tom:0-3:0.5", "PER:joe:4-7:0.7"}},
		{"I after O starts a group", []labelled{ent("O", 0.9, "and", 0, 3), ent("I-LOC", 0.4, "st", 4, 6), ent("I-LOC", 0.6, ".", 6, 7)},
			[]string{"O:and:0-3:0.9", "LOC:st.:4-7:0.5"}},
		{"O tokens group together", []labelled{ent("O", 0.2, "a", 0, 1), ent("O", 0.4, "b", 2, 3)},
			[]string{"O:a b:0-3:0.3"}},
		{"subword pieces glue", []labelled{ent("B-ORG", 1, "go", 0, 2), ent("I-ORG", 1, "##rgo", 2, 5)},
			[]string{"ORG:gorgo:0-5:1"}},
		{"other tag breaks", []labelled{ent("I-PER", 1, "a", 0, 1), ent("I-LOC", 1, "b", 2, 3)},
			[]string{"PER:a:0-1:1", "LOC:b:2-3:1"}},
		{"name cut at the first dash only", []labelled{ent("B-X-Y", 1, "a", 0, 1)},
			[]string{"X-Y:a:0-1:1"}},
	} {
		var got []string
		for _, e := range p.groupEntities(c.in) {
			got = append(got, fmt.Sprintf("%s:%s:%d-%d:%.3g", e.EntityGroup, e.Word, e.Start, e.End, e.Score))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestAggregateWords(t *testing.T) {
	p := tinyPipeline(t)
	labels := []string{"O", "B-PER", "I-PER"}
	tok := func(word string, sub bool, scores ...float32) nerToken {
		return nerToken{word: word, subword: sub, scores: scores}
	}
	// one word of three pieces: first says O, the most confident piece says
	// I-PER, the mean says B-PER.
	word := []nerToken{tok("go", false, 0.5, 0.4, 0.1), tok("##rgo", true, 0.1, 0.5, 0.4), tok("##nia", true, 0.05, 0.3, 0.65)}
	for _, c := range []struct {
		strategy, label string
		score           float64
	}{
		{AggregateFirst, "O", 0.5},
		{AggregateMax, "I-PER", 0.65},
		{AggregateAverage, "B-PER", 0.4},
	} {
		got := p.aggregateWords(word, c.strategy, labels)
		if len(got) != 1 || got[0].label != c.label || got[0].word != "gorgonia" || abs(got[0].score-c.score) > 1e-6 {
			t.Errorf("%s: got %+v, want one word gorgonia %s %.3g", c.strategy, got, c.label, c.score)
		}
	}
	// a non-subword token starts a new word.
	got := p.aggregateWords([]nerToken{tok("st", false, 1, 0, 0), tok(".", false, 0, 1, 0)}, AggregateFirst, labels)
	if len(got) != 2 {
		t.Errorf("two words expected, got %+v", got)
	}
}

func abs(x float64) float64 { return max(x, -x) }

func TestTopK(t *testing.T) {
	for _, c := range []struct {
		v    []float32
		k    int
		want []int
	}{
		{[]float32{0.1, 0.5, 0.2, 0.5}, 2, []int{1, 3}}, // ties keep index order
		{[]float32{0.1, 0.5, 0.2}, 5, []int{1, 2, 0}},
		{[]float32{3, 2, 1}, 0, nil},
		{[]float32{1, 2, 3, 4, 5}, 3, []int{4, 3, 2}},
	} {
		if got := topK(c.v, c.k); !reflect.DeepEqual(got, c.want) {
			t.Errorf("topK(%v, %d) = %v, want %v", c.v, c.k, got, c.want)
		}
	}
}

func TestSoftmax(t *testing.T) {
	got := softmax([]float32{1, 2, 3, -10000})
	want := []float32{0.09003057, 0.24472848, 0.66524094, 0}
	for i := range want {
		if abs(float64(got[i]-want[i])) > 1e-7 {
			t.Errorf("softmax = %v, want %v", got, want)
		}
	}
}

func TestQADefaults(t *testing.T) {
	p := &Pipeline{ModelMaxLength: 512}
	for _, c := range []struct {
		in      QAOptions
		want    QAOptions
		wantErr string
	}{
		{QAOptions{}, QAOptions{TopK: 1, MaxSeqLen: 384, DocStride: 128, MaxAnswerLen: 15}, ""},
		{QAOptions{MaxSeqLen: 64}, QAOptions{TopK: 1, MaxSeqLen: 64, DocStride: 32, MaxAnswerLen: 15}, ""},
		{QAOptions{MaxSeqLen: 64, DocStride: 65}, QAOptions{}, "doc_stride"},
		{QAOptions{TopK: -1}, QAOptions{}, "top_k"},
		{QAOptions{MaxAnswerLen: -2}, QAOptions{}, "max_answer_len"},
	} {
		got, err := p.qaDefaults(c.in)
		switch {
		case c.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("qaDefaults(%+v): error %v, want one about %s", c.in, err, c.wantErr)
			}
		case err != nil || got != c.want:
			t.Errorf("qaDefaults(%+v) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	// A small model_max_length caps the default window.
	if got, _ := (&Pipeline{ModelMaxLength: 128}).qaDefaults(QAOptions{}); got.MaxSeqLen != 128 || got.DocStride != 64 {
		t.Errorf("model_max_length 128: got %+v", got)
	}
}

func TestResultJSONShapes(t *testing.T) {
	one := []TokenScore{{Score: 0.5, Token: 7, TokenStr: "go", Sequence: "go"}}
	for _, c := range []struct {
		name string
		v    any
		want string
	}{
		{"one mask: a list", FillMaskResult{Masks: [][]TokenScore{one}}, `[{"score":0.5,"token":7,"token_str":"go","sequence":"go"}]`},
		{"two masks: a list of lists", FillMaskResult{Masks: [][]TokenScore{one, one}}, `[[{"score":0.5,"token":7,"token_str":"go","sequence":"go"}],[{"score":0.5,"token":7,"token_str":"go","sequence":"go"}]]`},
		{"best label of a text: in a list", ClassifyResult{Labels: []LabelScore{{"pos", 1}}}, `[{"label":"pos","score":1}]`},
		{"best label of a dict: bare", ClassifyResult{Labels: []LabelScore{{"pos", 1}}, bare: true}, `{"label":"pos","score":1}`},
		{"one answer: bare", QAResult{Answers: []Answer{{Score: 1, Start: 0, End: 2, Answer: "hé", EndByte: 3}}}, `{"score":1,"start":0,"end":2,"answer":"hé","start_byte":0,"end_byte":3}`},
		{"no entity: empty list", [][]Entity{{}}, `[[]]`},
	} {
		got, err := json.Marshal(c.v)
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %s (%v), want %s", c.name, got, err, c.want)
		}
	}
}

func TestClassifyInputJSON(t *testing.T) {
	for _, c := range []struct {
		in      string
		want    ClassifyInput
		wantErr bool
	}{
		{`{"text":"a"}`, ClassifyInput{Text: "a"}, false},
		{`{"text":"a","text_pair":"b"}`, ClassifyInput{Text: "a", TextPair: "b", Dict: true}, false},
		{`"a"`, ClassifyInput{Text: "a"}, false},
		{`{"txt":"a"}`, ClassifyInput{}, true},
	} {
		var got ClassifyInput
		err := json.Unmarshal([]byte(c.in), &got)
		if (err != nil) != c.wantErr || (!c.wantErr && got != c.want) {
			t.Errorf("%s: got %+v, %v; want %+v (error %v)", c.in, got, err, c.want, c.wantErr)
		}
	}
}

func TestProcessJSONL(t *testing.T) {
	upper := func(in []TextInput) ([]string, error) {
		var out []string
		for i, t := range in {
			if t.Text == "bad" {
				return nil, &InputError{i, errors.New("bad text")}
			}
			out = append(out, strings.ToUpper(t.Text))
		}
		return out, nil
	}
	for _, c := range []struct {
		name, in, want, wantErr string
	}{
		{"order kept across chunks", "{\"text\":\"a\"}\n\n{\"text\":\"b\"}\n\"c\"\n", "\"A\"\n\"B\"\n\"C\"\n", ""},
		{"input error names its line", "{\"text\":\"a\"}\n\n{\"text\":\"bad\"}\n", "", "in.jsonl:3: bad text"},
		{"malformed line", "{\"text\":\"a\"}\n{\"text\":\n", "", "in.jsonl:2:"},
		{"missing field", "{\"question\":\"a\"}\n", "", `in.jsonl:1: no "text" field`},
	} {
		var out bytes.Buffer
		err := ProcessJSONL(strings.NewReader(c.in), "in.jsonl", &out, 2, upper)
		switch {
		case c.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.wantErr)
			}
		case err != nil || out.String() != c.want:
			t.Errorf("%s: got %q, %v; want %q", c.name, out.String(), err, c.want)
		}
	}
}
