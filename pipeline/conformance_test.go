package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/internal/conformance"
)

// The conformance tests run every case of ../shared/conformance/pipelines
// through the pipeline and compare the JSON it marshals to with HuggingFace's
// recorded output: discrete fields exactly, scores within meta.json's
// tolerance. They skip when the fixtures are absent.

type tolerance struct{ Atol, Rtol float64 }

// fixtures is what every conformance test needs: the folder and tolerances.
type fixtures struct {
	dir  string
	tols map[string]tolerance
}

func loadFixtures(t *testing.T) fixtures {
	t.Helper()
	dir := conformance.Dir(t, "pipelines")
	var meta struct {
		Tolerances struct {
			Scores map[string]tolerance `json:"scores"`
		} `json:"tolerances"`
	}
	conformance.ReadJSON(t, filepath.Join(dir, "meta.json"), &meta)
	return fixtures{dir: dir, tols: meta.Tolerances.Scores}
}

func (f fixtures) tol(task string) tolerance {
	if tl, ok := f.tols[task]; ok {
		return tl
	}
	return tolerance{Atol: 1e-4}
}

// taskFile is the common layout of a task's fixture file.
type taskFile[C any] struct {
	ModelFolder string `json:"model_folder"`
	Cases       []C    `json:"cases"`
}

var (
	pipelinesMu sync.Mutex
	pipelines   = map[string]*Pipeline{}
)

// loadPipeline loads a fixture model once per test binary.
func loadPipeline(t *testing.T, dir string) *Pipeline {
	t.Helper()
	pipelinesMu.Lock()
	defer pipelinesMu.Unlock()
	if p, ok := pipelines[dir]; ok {
		return p
	}
	p, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	pipelines[dir] = p
	return p
}

// stringOrJSON decodes a field the fixtures store either inline or as a JSON
// string.
func stringOrJSON(t *testing.T, raw json.RawMessage, v any) {
	t.Helper()
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}

// comparer compares marshalled outputs with expected JSON values and keeps
// the worst score difference.
type comparer struct {
	tol      tolerance
	worst    float64
	zeroTail bool
}

// compare reports the first difference between got and want (JSON values),
// "" when they match. Objects may have the extra Go-only keys start_byte and
// end_byte.
func (c *comparer) compare(got, want any, where string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %T, want an object", where, got)
		}
		for k := range g {
			if _, ok := w[k]; !ok && k != "start_byte" && k != "end_byte" {
				return fmt.Sprintf("%s: unexpected key %q", where, k)
			}
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s: missing key %q", where, k)
			}
			if k != "score" { // offsets, ids, labels, strings: exactly
				if fmt.Sprint(gv) != fmt.Sprint(w[k]) {
					return fmt.Sprintf("%s.%s: got %v, want %v", where, k, gv, w[k])
				}
				continue
			}
			if d := c.compare(gv, w[k], where+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: got %T, want a list", where, got)
		}
		if c.zeroTail {
			// Answers with score 0 only fill argpartition's slots in an
			// implementation-defined order: compare the positive ones and
			// accept any all-zero tail.
			g, w = positive(g), positive(w)
		}
		if len(g) != len(w) {
			return fmt.Sprintf("%s: %d entries, want %d", where, len(g), len(w))
		}
		for i := range w {
			if d := c.compare(g[i], w[i], fmt.Sprintf("%s[%d]", where, i)); d != "" {
				return d
			}
		}
		return ""
	case float64:
		g, ok := got.(float64)
		if !ok {
			return fmt.Sprintf("%s: got %v, want %v", where, got, want)
		}
		d := math.Abs(g - w)
		c.worst = math.Max(c.worst, d)
		if d > c.tol.Atol+c.tol.Rtol*math.Abs(w) {
			return fmt.Sprintf("%s: got %.9g, want %.9g (diff %.3g)", where, g, w, d)
		}
		return ""
	default:
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Sprintf("%s: got %#v, want %#v", where, got, want)
		}
		return ""
	}
}

// positive keeps the list entries that are not objects with score 0.
func positive(list []any) []any {
	var out []any
	for _, e := range list {
		if m, ok := e.(map[string]any); ok && m["score"] == 0.0 {
			continue
		}
		out = append(out, e)
	}
	return out
}

// asJSON marshals v and decodes it back into generic JSON values.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestConformanceFillMask(t *testing.T) {
	f := loadFixtures(t)
	var doc taskFile[struct {
		ID     string         `json:"id"`
		Args   []string       `json:"args"`
		Kwargs map[string]any `json:"kwargs"`
		Output any            `json:"output"`
	}]
	conformance.ReadJSON(t, filepath.Join(f.dir, "fill-mask.json"), &doc)
	p := loadPipeline(t, filepath.Join(f.dir, doc.ModelFolder))
	c := &comparer{tol: f.tol("fill-mask")}
	pass := 0
	for _, tc := range doc.Cases {
		var opts FillMaskOptions
		if k, ok := tc.Kwargs["top_k"].(float64); ok {
			opts.TopK = int(k)
		}
		if ts, ok := tc.Kwargs["targets"].([]any); ok {
			opts.Targets = []string{}
			for _, s := range ts {
				opts.Targets = append(opts.Targets, s.(string))
			}
		}
		res, err := p.FillMask(tc.Args, opts)
		if err != nil {
			t.Errorf("%s: %v", tc.ID, err)
			continue
		}
		if d := c.compare(asJSON(t, res[0]), tc.Output, tc.ID); d != "" {
			t.Error(d)
			continue
		}
		pass++
	}
	t.Logf("fill-mask: %d/%d cases match, worst score diff %.3g", pass, len(doc.Cases), c.worst)
}

func TestConformanceTextClassification(t *testing.T) {
	f := loadFixtures(t)
	var doc taskFile[struct {
		ID     string            `json:"id"`
		Args   []json.RawMessage `json:"args"`
		Kwargs map[string]any    `json:"kwargs"`
		Output any               `json:"output"`
	}]
	conformance.ReadJSON(t, filepath.Join(f.dir, "text-classification.json"), &doc)
	p := loadPipeline(t, filepath.Join(f.dir, doc.ModelFolder))
	c := &comparer{tol: f.tol("text-classification")}
	pass := 0
	for _, tc := range doc.Cases {
		var in ClassifyInput
		if err := json.Unmarshal(tc.Args[0], &in); err != nil {
			t.Fatalf("%s: %v", tc.ID, err)
		}
		in.Dict = tc.Args[0][0] == '{' // HuggingFace got a dict
		var opts ClassifyOptions
		if k, ok := tc.Kwargs["top_k"]; ok {
			opts.TopK = AllLabels
			if k != nil {
				opts.TopK = int(k.(float64))
			}
		}
		if fn, ok := tc.Kwargs["function_to_apply"].(string); ok {
			opts.Function = fn
		}
		res, err := p.Classify([]ClassifyInput{in}, opts)
		if err != nil {
			t.Errorf("%s: %v", tc.ID, err)
			continue
		}
		if d := c.compare(asJSON(t, res[0]), tc.Output, tc.ID); d != "" {
			t.Error(d)
			continue
		}
		pass++
	}
	t.Logf("text-classification: %d/%d cases match, worst score diff %.3g", pass, len(doc.Cases), c.worst)
}

func TestConformanceTokenClassification(t *testing.T) {
	f := loadFixtures(t)
	var doc taskFile[struct {
		ID    string `json:"id"`
		Text  string `json:"text"`
		Calls []struct {
			Kwargs struct {
				Aggregation  string    `json:"aggregation_strategy"`
				IgnoreLabels *[]string `json:"ignore_labels"`
			} `json:"kwargs"`
			Output any `json:"output"`
		} `json:"calls"`
	}]
	conformance.ReadJSON(t, filepath.Join(f.dir, "token-classification.json"), &doc)
	p := loadPipeline(t, filepath.Join(f.dir, doc.ModelFolder))
	c := &comparer{tol: f.tol("token-classification")}
	pass, calls := 0, 0
	for _, tc := range doc.Cases {
		for _, call := range tc.Calls {
			calls++
			opts := NEROptions{Aggregation: call.Kwargs.Aggregation}
			if call.Kwargs.IgnoreLabels != nil {
				opts.IgnoreLabels = append([]string{}, *call.Kwargs.IgnoreLabels...)
			}
			where := fmt.Sprintf("%s %+v", tc.ID, opts)
			res, err := p.NER([]string{tc.Text}, opts)
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			for _, e := range res[0] {
				if got := tc.Text[e.StartByte:e.EndByte]; got != string([]rune(tc.Text)[e.Start:e.End]) {
					t.Errorf("%s: byte span %q differs from code point span", where, got)
				}
			}
			if d := c.compare(asJSON(t, res[0]), call.Output, where); d != "" {
				t.Error(d)
				continue
			}
			pass++
		}
	}
	t.Logf("token-classification: %d texts, %d/%d calls match, worst score diff %.3g", len(doc.Cases), pass, calls, c.worst)
}

func TestConformanceQuestionAnswering(t *testing.T) {
	f := loadFixtures(t)
	var doc taskFile[struct {
		ID            string          `json:"id"`
		Kwargs        map[string]any  `json:"kwargs"`
		KwargsInputs  json.RawMessage `json:"kwargs_inputs"`
		Output        any             `json:"output"`
		Fragile       bool            `json:"fragile"`
		FragileDetail struct {
			NoisyOutputs []any `json:"noisy_outputs"`
		} `json:"fragile_detail"`
	}]
	conformance.ReadJSON(t, filepath.Join(f.dir, "question-answering.json"), &doc)
	p := loadPipeline(t, filepath.Join(f.dir, doc.ModelFolder))
	c := &comparer{tol: f.tol("question-answering"), zeroTail: true}
	pass := 0
	for _, tc := range doc.Cases {
		var in QAInput
		stringOrJSON(t, tc.KwargsInputs, &in)
		var opts QAOptions
		num := func(k string) int {
			if v, ok := tc.Kwargs[k].(float64); ok {
				return int(v)
			}
			return 0
		}
		opts.TopK, opts.DocStride, opts.MaxSeqLen = num("top_k"), num("doc_stride"), num("max_seq_len")
		opts.MaxQuestionLen, opts.MaxAnswerLen = num("max_question_len"), num("max_answer_len")
		opts.HandleImpossible, _ = tc.Kwargs["handle_impossible_answer"].(bool)
		if a, ok := tc.Kwargs["align_to_words"].(bool); ok {
			opts.NoAlignToWords = !a
		}
		res, err := p.AnswerQuestions([]QAInput{in}, opts)
		if err != nil {
			t.Errorf("%s: %v", tc.ID, err)
			continue
		}
		for _, a := range res[0].Answers {
			if a.EndByte > a.StartByte && a.Answer != string([]rune(in.Context)[a.Start:a.End]) {
				t.Errorf("%s: byte span %q differs from code point span", tc.ID, a.Answer)
			}
		}
		got := asJSON(t, res[0])
		d := c.compare(got, tc.Output, tc.ID)
		if d != "" && tc.Fragile { // near-tie: any recorded alternative will do
			for _, alt := range tc.FragileDetail.NoisyOutputs {
				if c.compare(got, alt, tc.ID) == "" {
					d = ""
					break
				}
			}
		}
		if d != "" {
			t.Error(d)
			continue
		}
		pass++
	}
	t.Logf("question-answering: %d/%d cases match, worst score diff %.3g", pass, len(doc.Cases), c.worst)
}

func TestConformanceFeatureExtraction(t *testing.T) {
	f := loadFixtures(t)
	var doc taskFile[struct {
		ID          string   `json:"id"`
		Args        []string `json:"args"`
		OutputShape []int    `json:"output_shape"`
	}]
	conformance.ReadJSON(t, filepath.Join(f.dir, "feature-extraction.json"), &doc)
	p := loadPipeline(t, filepath.Join(f.dir, doc.ModelFolder))
	want, _, _, err := checkpoint.ReadSafetensors(filepath.Join(f.dir, "feature-extraction.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	tol := f.tol("feature-extraction")
	texts := make([]string, len(doc.Cases))
	for i, tc := range doc.Cases {
		texts[i] = tc.Args[0]
	}
	feats, err := p.Features(texts) // all cases in one batched call
	if err != nil {
		t.Fatal(err)
	}
	pass := 0
	var worst float64
	for i, tc := range doc.Cases {
		w := want["features."+tc.ID]
		var got []float32
		for _, v := range feats[i] {
			got = append(got, v...)
		}
		if len(feats[i]) != tc.OutputShape[1] {
			t.Errorf("%s: %d tokens, want %d", tc.ID, len(feats[i]), tc.OutputShape[1])
			continue
		}
		ok, msg := conformance.Close(got, w.Data, tol.Atol, tol.Rtol)
		for k := range got {
			worst = math.Max(worst, math.Abs(float64(got[k]-w.Data[k])))
		}
		if !ok {
			t.Errorf("%s: %s", tc.ID, msg)
			continue
		}
		pass++
	}
	t.Logf("feature-extraction: %d/%d cases match, worst diff %.3g", pass, len(doc.Cases), worst)
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, p := range pipelines {
		p.Close()
	}
	os.Exit(code)
}
