package pipeline

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/conformance"
	"github.com/gorbert/gorbert/tokenizer"
)

// batchedPipeline loads a fixture model with 2 workers and batches of 3, so
// that a call runs several padded batches at once.
func batchedPipeline(t *testing.T, dir string) *Pipeline {
	t.Helper()
	params, _, err := graph.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := New(params, tok, params.Config.MaxPositionEmbeddings, 2)
	p.BatchSize = 3
	t.Cleanup(func() { p.Close() })
	return p
}

// sameResults checks that the batched results equal the one-at-a-time ones:
// everything but scores exactly, scores within 1e-5.
func sameResults(t *testing.T, task string, batched, alone []any) {
	t.Helper()
	c := &comparer{tol: tolerance{Atol: 1e-5}}
	for i := range alone {
		if d := c.compare(asJSON(t, batched[i]), asJSON(t, alone[i]), task); d != "" {
			t.Errorf("input %d batched vs alone: %s", i, d)
		}
	}
	t.Logf("%s: %d inputs, batched = alone (worst score diff %.3g)", task, len(alone), c.worst)
}

// runBoth calls run on all inputs at once and on each alone.
func runBoth[In, Out any](t *testing.T, task string, inputs []In, run func([]In) ([]Out, error)) {
	t.Helper()
	all, err := run(inputs)
	if err != nil {
		t.Fatal(err)
	}
	var batched, alone []any
	for i, in := range inputs {
		one, err := run([]In{in})
		if err != nil {
			t.Fatal(err)
		}
		batched, alone = append(batched, all[i]), append(alone, one[0])
	}
	sameResults(t, task, batched, alone)
}

func TestBatchingMatchesOneAtATime(t *testing.T) {
	f := loadFixtures(t)
	texts := func(file string) []string {
		var doc taskFile[struct {
			Args []json.RawMessage `json:"args"`
			Text string            `json:"text"`
		}]
		conformance.ReadJSON(t, filepath.Join(f.dir, file), &doc)
		var out []string
		for _, c := range doc.Cases {
			if c.Text != "" {
				out = append(out, c.Text)
				continue
			}
			var s string
			if json.Unmarshal(c.Args[0], &s) == nil {
				out = append(out, s)
			}
		}
		return out
	}
	models := filepath.Join(f.dir, "models")

	p := batchedPipeline(t, filepath.Join(models, "fill-mask"))
	runBoth(t, "fill-mask", texts("fill-mask.json"), func(in []string) ([]FillMaskResult, error) {
		return p.FillMask(in, FillMaskOptions{TopK: 3})
	})

	p = batchedPipeline(t, filepath.Join(models, "text-classification"))
	var pairs []ClassifyInput
	for i, s := range texts("text-classification.json") {
		in := ClassifyInput{Text: s}
		if i%3 == 0 {
			in.TextPair, in.Dict = "and a second text", true
		}
		pairs = append(pairs, in)
	}
	runBoth(t, "text-classification", pairs, func(in []ClassifyInput) ([]ClassifyResult, error) {
		return p.Classify(in, ClassifyOptions{TopK: AllLabels})
	})
	runBoth(t, "embed mean", texts("text-classification.json"), func(in []string) ([][]float32, error) {
		return p.Embed(in, PoolMean)
	})
	runBoth(t, "feature-extraction", texts("feature-extraction.json"), p.Features)

	p = batchedPipeline(t, filepath.Join(models, "token-classification"))
	runBoth(t, "token-classification", texts("token-classification.json"), func(in []string) ([][]Entity, error) {
		return p.NER(in, NEROptions{Aggregation: AggregateAverage})
	})

	p = batchedPipeline(t, filepath.Join(models, "question-answering"))
	var qa []QAInput
	var doc taskFile[struct {
		KwargsInputs json.RawMessage `json:"kwargs_inputs"`
	}]
	conformance.ReadJSON(t, filepath.Join(f.dir, "question-answering.json"), &doc)
	for _, c := range doc.Cases {
		var in QAInput
		stringOrJSON(t, c.KwargsInputs, &in)
		qa = append(qa, in)
	}
	runBoth(t, "question-answering", qa, func(in []QAInput) ([]QAResult, error) {
		return p.AnswerQuestions(in, QAOptions{TopK: 3, MaxSeqLen: 64, DocStride: 32})
	})
}
