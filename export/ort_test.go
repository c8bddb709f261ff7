package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/export"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/conformance"
)

// The tests here run exported models in ONNX Runtime (onnxruntime-node,
// installed by scripts/install-onnxruntime.sh) and compare its outputs with
// graph.Model.Forward and with HuggingFace's reference outputs. They skip
// when node/npm are missing or the install fails.

// ortTensor is a tensor in run_ort.js's JSON.
type ortTensor struct {
	Dims []int     `json:"dims"`
	Data []float64 `json:"data"` // run_ort.js refuses NaN and infinities
}

type ortRun struct {
	Model string               `json:"model"`
	Feeds map[string]ortTensor `json:"feeds"`
}

var (
	ortOnce sync.Once
	ortDir  string
	ortErr  error
)

// onnxRuntime installs onnxruntime-node once per test binary, or skips.
func onnxRuntime(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not installing onnxruntime-node")
	}
	ortOnce.Do(func() {
		for _, tool := range []string{"node", "npm"} {
			if _, err := exec.LookPath(tool); err != nil {
				ortErr = fmt.Errorf("%s is not on PATH", tool)
				return
			}
		}
		var stdout, stderr bytes.Buffer
		// A machine without the npm registry fails within the script's fetch timeout.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "bash", filepath.Join("..", "scripts", "install-onnxruntime.sh"))
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			ortErr = fmt.Errorf("scripts/install-onnxruntime.sh: %v: %s", err, strings.TrimSpace(stderr.String()))
			return
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		ortDir = lines[len(lines)-1]
	})
	if ortErr != nil {
		t.Skipf("onnxruntime unavailable, not running exported models: %v", ortErr)
	}
	return ortDir
}

// runORT runs every run in one node process and returns their outputs.
func runORT(t *testing.T, runs []ortRun) []map[string]ortTensor {
	t.Helper()
	dir := onnxRuntime(t)
	tmp := t.TempDir()
	in, out := filepath.Join(tmp, "runs.json"), filepath.Join(tmp, "outputs.json")
	data, err := json.Marshal(runs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join("testdata", "run_ort.js"), in, out)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(dir, "node_modules"))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("run_ort.js: %v\n%s", err, msg)
	}
	var results []map[string]ortTensor
	data, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != len(runs) {
		t.Fatalf("run_ort.js returned %d results for %d runs", len(results), len(runs))
	}
	return results
}

// feeds converts a batch to the model's three int64 inputs.
func feeds(b graph.Batch) map[string]ortTensor {
	conv := func(v []int) ortTensor {
		d := make([]float64, len(v))
		for i, x := range v {
			d[i] = float64(x)
		}
		return ortTensor{Dims: []int{b.Size, b.SeqLen}, Data: d}
	}
	return map[string]ortTensor{
		export.InputIDs: conv(b.InputIDs), export.AttentionMask: conv(b.AttentionMask), export.TokenTypeIDs: conv(b.TokenTypeIDs),
	}
}

// tinyConfig is the small random model of the tests.
func tinyConfig(act string) gorbert.Config {
	c := gorbert.Default()
	c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads = 99, 32, 2, 4
	c.IntermediateSize, c.MaxPositionEmbeddings, c.HiddenAct = 37, 40, act
	c.InitializerRange = 0.2 // large weights put GELU in its non-linear range (the two GELUs then differ by ~1e-3)
	return c
}

// tinyParams are random weights for a task (3 labels for classify, 5 for
// ner), with non-zero biases and LayerNorm parameters so that no term hides.
func tinyParams(act string, task gorbert.Task) *graph.Params {
	c := tinyConfig(act)
	switch task {
	case gorbert.TaskClassify:
		c.SetLabels([]string{"a", "b", "c"})
	case gorbert.TaskNER:
		c.SetLabels([]string{"O", "B-X", "I-X", "B-Y", "I-Y"})
	}
	rng := rand.New(rand.NewSource(1))
	p := graph.Init(c, task, rng)
	for _, name := range p.Names() {
		if len(p.Tensors[name].Shape()) == 1 {
			for i, d := range p.Data(name) {
				p.Data(name)[i] = d + float32(rng.NormFloat64()*0.1)
			}
		}
	}
	return p
}

// randomBatch has B rows of length S; with padding, rows after the first
// are shorter (mask 0, pad id) so that masked keys matter.
func randomBatch(rng *rand.Rand, c gorbert.Config, B, S int, padded bool) graph.Batch {
	ids, types := make([][]int, B), make([][]int, B)
	for i := range ids {
		n := S
		if padded && i > 0 {
			n = 1 + rng.Intn(S-1)
		}
		for j := 0; j < n; j++ {
			ids[i] = append(ids[i], 1+rng.Intn(c.VocabSize-1))
			types[i] = append(types[i], min(j*2/max(n, 1), c.TypeVocabSize-1))
		}
	}
	return graph.NewBatch(ids, types, S, c.PadTokenID)
}

// maxAbsDiff compares an ONNX Runtime output with a Forward output.
func maxAbsDiff(t *testing.T, name string, got ortTensor, want checkpoint.Tensor) float64 {
	t.Helper()
	if !slices.Equal(got.Dims, want.Shape) {
		t.Errorf("%s: onnxruntime shape %v, Forward shape %v", name, got.Dims, want.Shape)
		return math.Inf(1)
	}
	worst := 0.0
	for i, w := range want.Data {
		d := math.Abs(got.Data[i] - float64(w))
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		worst = max(worst, d)
	}
	return worst
}

// TestONNXRuntimeMatchesForward exports every task with both GELUs and runs
// the files in onnxruntime at two batch sizes and two sequence lengths (the
// larger batches padded), at opset 17, plus opset 14 and external data for
// some: every output within 1e-4 of graph.Model.Forward.
func TestONNXRuntimeMatchesForward(t *testing.T) {
	onnxRuntime(t)
	type check struct {
		label string
		task  gorbert.Task
		model *graph.Model
		batch graph.Batch
	}
	var runs []ortRun
	var checks []check
	dir := t.TempDir()
	shapes := []struct {
		B, S   int
		padded bool
	}{{1, 7, false}, {1, 16, false}, {3, 7, true}, {3, 16, true}}
	type variant struct {
		act   string
		task  gorbert.Task
		opts  export.Options
		label string
	}
	var variants []variant
	for _, act := range []string{"gelu", "gelu_new"} {
		for _, task := range gorbert.Tasks() {
			variants = append(variants, variant{act, task, export.Options{}, "opset17"})
		}
	}
	variants = append(variants,
		variant{"gelu", gorbert.TaskPretraining, export.Options{Opset: 14}, "opset14"},
		variant{"gelu_new", gorbert.TaskQA, export.Options{Opset: 14}, "opset14"},
		variant{"gelu", gorbert.TaskBase, export.Options{ExternalDataThreshold: 1}, "external"},
	)
	for _, v := range variants {
		p := tinyParams(v.act, v.task)
		path := filepath.Join(dir, fmt.Sprintf("%s_%s_%s.onnx", v.task, v.act, v.label))
		res, err := export.WriteONNX(path, p, v.opts)
		if err != nil {
			t.Fatalf("%s %s %s: %v", v.task, v.act, v.label, err)
		}
		if (res.DataPath != "") != (v.label == "external") {
			t.Fatalf("%s: data path %q", path, res.DataPath)
		}
		m := graph.NewModel(p)
		t.Cleanup(func() { m.Close() })
		rng := rand.New(rand.NewSource(7))
		for _, s := range shapes {
			b := randomBatch(rng, p.Config, s.B, s.S, s.padded)
			runs = append(runs, ortRun{Model: path, Feeds: feeds(b)})
			checks = append(checks, check{fmt.Sprintf("%s/%s/%s/B%dxS%d", v.task, v.act, v.label, s.B, s.S), v.task, m, b})
		}
	}
	results := runORT(t, runs)
	for i, c := range checks {
		want, err := c.model.Forward(c.batch)
		if err != nil {
			t.Fatalf("%s: Forward: %v", c.label, err)
		}
		names := export.OutputNames(c.task)
		if len(results[i]) != len(names) {
			t.Errorf("%s: onnxruntime returned %d outputs, want %v", c.label, len(results[i]), names)
		}
		var report []string
		for _, name := range names {
			got, ok := results[i][name]
			if !ok {
				t.Errorf("%s: no output %q", c.label, name)
				continue
			}
			d := maxAbsDiff(t, c.label+" "+name, got, want[export.GraphOutput(c.task, name)])
			if d > 1e-4 {
				t.Errorf("%s %s: max abs diff %.3g > 1e-4", c.label, name, d)
			}
			report = append(report, fmt.Sprintf("%s %.2g", name, d))
		}
		t.Logf("%-40s max abs diff: %s", c.label, strings.Join(report, ", "))
	}
}

// TestONNXRuntimeConformance exports each HuggingFace reference checkpoint
// and compares onnxruntime's outputs on the case's inputs with the outputs
// HuggingFace computed (expected.safetensors), within 1e-4 + 1e-4·|want|.
func TestONNXRuntimeConformance(t *testing.T) {
	suite := conformance.Dir(t, "model")
	onnxRuntime(t)
	cases := conformance.Cases(t, suite)
	dir := t.TempDir()
	var runs []ortRun
	var tasks []gorbert.Task
	for _, c := range cases {
		p, _, err := graph.Load(c)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.Base(c)+".onnx")
		if _, err := export.WriteONNX(path, p, export.Options{}); err != nil {
			t.Fatal(err)
		}
		var in conformance.Inputs
		conformance.ReadJSON(t, filepath.Join(c, "inputs.json"), &in)
		runs = append(runs, ortRun{Model: path, Feeds: feeds(in.Batch())})
		tasks = append(tasks, p.Task)
	}
	results := runORT(t, runs)
	for i, c := range cases {
		want := conformance.ReadTensors(t, filepath.Join(c, "expected.safetensors"))
		for _, name := range export.OutputNames(tasks[i]) {
			w, ok := want[export.GraphOutput(tasks[i], name)]
			if !ok {
				t.Fatalf("%s: expected.safetensors has no %s", c, name)
			}
			got := results[i][name]
			if !slices.Equal(got.Dims, w.Shape) {
				t.Errorf("%s %s: shape %v, want %v", filepath.Base(c), name, got.Dims, w.Shape)
				continue
			}
			g := make([]float32, len(got.Data))
			for j, v := range got.Data {
				g[j] = float32(v)
			}
			ok, worst := conformance.Close(g, w.Data, 1e-4, 1e-4)
			if !ok {
				t.Errorf("%s %s: %s", filepath.Base(c), name, worst)
			}
			t.Logf("%-22s %-24s %s", filepath.Base(c), name, worst)
		}
	}
}
