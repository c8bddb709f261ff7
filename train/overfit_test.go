package train_test

import (
	"math/rand"
	"testing"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/optim"
	"github.com/gorbert/gorbert/train"
)

// TestOverfitOneBatch: a tiny pretraining model driven by the training step
// memorises one batch (MLM + NSP) to near-zero loss.
func TestOverfitOneBatch(t *testing.T) {
	cfg := gorbert.Default()
	cfg.VocabSize, cfg.HiddenSize, cfg.NumHiddenLayers, cfg.NumAttentionHeads, cfg.IntermediateSize = 30, 32, 2, 4, 64
	cfg.MaxPositionEmbeddings, cfg.HiddenDropoutProb, cfg.AttentionDropoutProb = 16, 0, 0
	p := graph.Init(cfg, gorbert.TaskPretraining, rand.New(rand.NewSource(1)))
	b := graph.NewBatch([][]int{{2, 10, 4, 12, 3, 14, 4, 3}, {2, 20, 21, 3, 4, 23, 3}}, [][]int{{0, 0, 0, 0, 0, 1, 1, 1}, {0, 0, 0, 0, 1, 1, 1}}, 0, 0)
	b.Labels = []int{-100, -100, 11, -100, -100, -100, 15, -100, -100, -100, -100, -100, 22, -100, -100, -100}
	b.NextSentenceLabels = []int{0, 1}
	s, err := train.NewStepper(p, train.StepConfig{MaskedPositions: 4, MaxGradNorm: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var first, last float64
	for i := 0; i < 150; i++ {
		r, err := s.Step([]graph.Batch{b}, optim.Constant(3e-3))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = r.Loss
		}
		last = r.Loss
	}
	if last > 0.05 {
		t.Fatalf("loss %.4f -> %.4f after 150 steps; want < 0.05", first, last)
	}
	t.Logf("loss %.4f -> %.4f", first, last)
}

// TestStepperBoundsCompiledGraphs: batches of many shapes keep at most
// MaxGraphs graphs alive, and a re-built graph gives the same numbers.
func TestStepperBoundsCompiledGraphs(t *testing.T) {
	cfg := gorbert.Default()
	cfg.VocabSize, cfg.HiddenSize, cfg.NumHiddenLayers, cfg.NumAttentionHeads, cfg.IntermediateSize = 30, 16, 1, 2, 32
	cfg.MaxPositionEmbeddings = 16
	p := graph.Init(cfg, gorbert.TaskClassify, rand.New(rand.NewSource(1)))
	s, err := train.NewStepper(p, train.StepConfig{MaxGraphs: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	batch := func(seq int) graph.Batch {
		b := graph.NewBatch([][]int{make([]int, seq)}, nil, 0, 0)
		b.Labels = []int{1}
		return b
	}
	first, err := s.Accumulate(batch(3), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range []int{4, 5, 6} {
		if _, err := s.Accumulate(batch(seq), 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.NumGraphs(); n != 2 {
		t.Fatalf("%d graphs kept, want 2", n)
	}
	again, err := s.Accumulate(batch(3), 1) // its graph was evicted and is rebuilt
	if err != nil {
		t.Fatal(err)
	}
	if first["loss"] != again["loss"] {
		t.Fatalf("loss %v after rebuilding, %v before", again["loss"], first["loss"])
	}
}
