// Package conformance locates and reads the HuggingFace reference fixtures
// (../shared/conformance, or $GORBERT_CONFORMANCE) for the project's tests.
package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/graph"
)

// Dir returns the folder of one fixture suite ("model", "tokenizer",
// "trajectory", "pipelines"), or skips the test with a clear message.
func Dir(t testing.TB, suite string) string {
	t.Helper()
	root := os.Getenv("GORBERT_CONFORMANCE")
	if root == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for d := wd; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
				root = filepath.Join(d, "..", "shared", "conformance")
				break
			}
			if filepath.Dir(d) == d {
				t.Skip("conformance fixtures not found: no go.mod above the test")
			}
		}
	}
	dir := filepath.Join(root, suite)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("conformance fixtures %s absent (set GORBERT_CONFORMANCE or check out ../shared): skipping", dir)
	}
	return dir
}

// Cases lists the case folders of a suite (sub-folders with a config.json).
func Cases(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "config.json")); e.IsDir() && err == nil {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	return out
}

// Inputs is a model case's inputs.json.
type Inputs struct {
	InputIDs          [][]int `json:"input_ids"`
	TokenTypeIDs      [][]int `json:"token_type_ids"`
	AttentionMask     [][]int `json:"attention_mask"`
	Labels            any     `json:"labels"` // [B][S] or [B]
	NextSentenceLabel []int   `json:"next_sentence_label"`
	StartPositions    []int   `json:"start_positions"`
	EndPositions      []int   `json:"end_positions"`
}

// ReadJSON decodes a JSON file.
func ReadJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Close reports whether got matches want within atol + rtol·|want|, and the
// worst violation (or the worst difference when all are within tolerance).
func Close(got, want []float32, atol, rtol float64) (ok bool, worst string) {
	if len(got) != len(want) {
		return false, fmt.Sprintf("%d values, want %d", len(got), len(want))
	}
	var maxDiff float64
	worstAt := -1
	ok = true
	for i := range got {
		d := math.Abs(float64(got[i]) - float64(want[i]))
		lim := atol + rtol*math.Abs(float64(want[i]))
		if math.IsNaN(d) || d > lim {
			if ok || d > maxDiff {
				worstAt, maxDiff = i, d
			}
			ok = false
			continue
		}
		if ok && d > maxDiff {
			maxDiff, worstAt = d, i
		}
	}
	if worstAt < 0 {
		return ok, "max diff 0"
	}
	return ok, fmt.Sprintf("max diff %.3g at %d (got %g, want %g)", maxDiff, worstAt, got[worstAt], want[worstAt])
}

// ReadTensors reads a safetensors fixture.
func ReadTensors(t testing.TB, path string) map[string]checkpoint.Tensor {
	t.Helper()
	ts, _, _, err := checkpoint.ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// Batch converts a case's inputs (and labels) into a graph.Batch.
func (in Inputs) Batch() graph.Batch {
	B, S := len(in.InputIDs), len(in.InputIDs[0])
	b := graph.Batch{Size: B, SeqLen: S}
	for i := 0; i < B; i++ {
		b.InputIDs = append(b.InputIDs, in.InputIDs[i]...)
		b.TokenTypeIDs = append(b.TokenTypeIDs, in.TokenTypeIDs[i]...)
		b.AttentionMask = append(b.AttentionMask, in.AttentionMask[i]...)
	}
	if rows, ok := in.Labels.([]any); ok {
		for _, row := range rows {
			switch r := row.(type) {
			case []any:
				for _, v := range r {
					b.Labels = append(b.Labels, int(v.(float64)))
				}
			case float64:
				b.Labels = append(b.Labels, int(r))
			}
		}
	}
	b.NextSentenceLabels = in.NextSentenceLabel
	b.StartPositions, b.EndPositions = in.StartPositions, in.EndPositions
	return b
}

// Tolerance is an elementwise atol + rtol·|want| bound.
type Tolerance struct {
	Atol float64 `json:"atol"`
	Rtol float64 `json:"rtol"`
}
