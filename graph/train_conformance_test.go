package graph_test

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/conformance"
)

// TestConformanceGradients reproduces each case's loss, loss terms and the
// gradient of every parameter (train.safetensors) with Gorgonia's autodiff.
func TestConformanceGradients(t *testing.T) {
	dir := conformance.Dir(t, "model")
	cases, tensors := 0, 0
	for _, c := range conformance.Cases(t, dir) {
		want := filepath.Join(c, "train.safetensors")
		if !exists(want) {
			continue
		}
		t.Run(filepath.Base(c), func(t *testing.T) {
			p, _, err := graph.Load(c)
			if err != nil {
				t.Fatal(err)
			}
			var in conformance.Inputs
			conformance.ReadJSON(t, filepath.Join(c, "inputs.json"), &in)
			batch := batchOf(t, in)
			for _, masked := range []int{0, batch.Size * batch.SeqLen} {
				if masked > 0 && !p.Task.HasMLM() {
					continue
				}
				net, err := graph.Build(p, graph.Options{Batch: batch.Size, Seq: batch.SeqLen, Loss: true, Grads: true, MaskedPositions: masked})
				if err != nil {
					t.Fatal(err)
				}
				if err := net.Run(batch, nil); err != nil {
					t.Fatal(err)
				}
				losses, err := net.LossValues()
				if err != nil {
					t.Fatal(err)
				}
				for name, w := range conformance.ReadTensors(t, want) {
					switch {
					case strings.HasPrefix(name, "grad."):
						g, err := net.Grad(strings.TrimPrefix(name, "grad."))
						if err != nil {
							t.Fatal(err)
						}
						if ok, worst := conformance.Close(g, w.Data, 1e-4, 1e-4); !ok {
							t.Errorf("%s (masked rows %d): %s", name, masked, worst)
						}
						tensors++
					case name == "loss" || strings.HasSuffix(name, "_loss") && !strings.Contains(name, "step"):
						got, ok := losses[name]
						if !ok {
							t.Errorf("no loss term %q", name)
							continue
						}
						if math.Abs(got-float64(w.Data[0])) > 1e-4+1e-4*math.Abs(float64(w.Data[0])) {
							t.Errorf("%s = %.6f, want %.6f", name, got, w.Data[0])
						}
						tensors++
					case strings.HasPrefix(name, "after") || name == "loss_step2" || name == "grad_norm" || name == "clip_coef":
						// optimizer values: checked by the training-step test
					default:
						t.Errorf("unknown tensor %q in %s", name, want)
					}
				}
				net.Close()
			}
			cases++
		})
	}
	t.Logf("compared %d losses and gradients in %d cases", tensors, cases)
}
