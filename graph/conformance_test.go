package graph_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/conformance"
)

func batchOf(t *testing.T, in conformance.Inputs) graph.Batch { return in.Batch() }

// TestConformanceForward reproduces every tensor of every case's
// expected.safetensors (HuggingFace transformers' eval outputs).
func TestConformanceForward(t *testing.T) {
	dir := conformance.Dir(t, "model")
	cases, tensors := 0, 0
	for _, c := range conformance.Cases(t, dir) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			p, _, err := graph.Load(c)
			if err != nil {
				t.Fatal(err)
			}
			var in conformance.Inputs
			conformance.ReadJSON(t, filepath.Join(c, "inputs.json"), &in)
			batch := batchOf(t, in)
			net, err := graph.Build(p, graph.Options{Batch: batch.Size, Seq: batch.SeqLen})
			if err != nil {
				t.Fatal(err)
			}
			defer net.Close()
			if err := net.Run(batch, nil); err != nil {
				t.Fatal(err)
			}
			known := map[string]bool{}
			for _, n := range net.OutputNames() {
				known[n] = true
			}
			for name, want := range conformance.ReadTensors(t, filepath.Join(c, "expected.safetensors")) {
				if !known[name] {
					t.Errorf("expected tensor %q is not an output this model produces", name)
					continue
				}
				got, err := net.Output(name)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Shape, want.Shape) {
					t.Errorf("%s: shape %v, want %v", name, got.Shape, want.Shape)
					continue
				}
				if ok, worst := conformance.Close(got.Data, want.Data, 1e-4, 1e-4); !ok {
					t.Errorf("%s: %s", name, worst)
				}
				tensors++
			}
			cases++
		})
	}
	t.Logf("compared %d tensors in %d cases", tensors, cases)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
