package bench

import (
	"math/rand"
	"runtime"
	"testing"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/gx"
	"github.com/gorbert/gorbert/layers"
	"github.com/gorbert/gorbert/optim"
	"github.com/gorbert/gorbert/train"
	"gorgonia.org/tensor"
)

// fixtures holds each benchmark's set-up (weights, compiled graph), made
// once per process: the testing package calls a benchmark function with
// b.N = 1 before the measured run, and building twice would double the
// process's peak RSS with a second copy of the weights.
var fixtures = map[string]any{}

func once(b *testing.B, make func() any) any {
	f, ok := fixtures[b.Name()]
	if !ok {
		f = make()
		fixtures[b.Name()] = f
	}
	return f
}

// gatherPerSeq is max_predictions_per_seq at seq 128 (the anchor's --mlm-gather 20).
const gatherPerSeq = 20

// inputs mirrors bert_bench.py: random ids, token types 1 on the second half,
// the first sequence padded over its last S/8 positions.
func inputs(cfg gorbert.Config, batch, seq int, rng *rand.Rand) graph.Batch {
	b := graph.Batch{Size: batch, SeqLen: seq}
	n := batch * seq
	b.InputIDs, b.TokenTypeIDs, b.AttentionMask = make([]int, n), make([]int, n), make([]int, n)
	for i := range b.InputIDs {
		b.InputIDs[i] = 1 + rng.Intn(cfg.VocabSize-1)
		if i%seq >= seq/2 {
			b.TokenTypeIDs[i] = 1
		}
		b.AttentionMask[i] = 1
		if i < seq && i >= seq-seq/8 {
			b.AttentionMask[i] = 0
		}
	}
	return b
}

// withLabels adds MLM labels on ~15% of positions (at most perSeq per
// sequence, as the anchor's --mlm-gather) and NSP labels.
func withLabels(b graph.Batch, perSeq int, rng *rand.Rand) graph.Batch {
	b.Labels = make([]int, len(b.InputIDs))
	for i := range b.Labels {
		b.Labels[i] = gx.IgnoreIndex
	}
	for r := 0; r < b.Size; r++ {
		k := 0
		for j := 0; j < b.SeqLen && k < perSeq; j++ {
			if rng.Float64() < 0.15 {
				i := r*b.SeqLen + j
				b.Labels[i] = b.InputIDs[i]
				k++
			}
		}
	}
	b.NextSentenceLabels = make([]int, b.Size)
	for i := range b.NextSentenceLabels {
		b.NextSentenceLabels[i] = rng.Intn(2)
	}
	return b
}

func reportGFLOPs(b *testing.B, flops float64) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// benchForward times one BertModel forward (embeddings, encoder, pooler) plus
// copying out last_hidden_state and pooler_output, as the anchor's "infer".
func benchForward(b *testing.B, cfg gorbert.Config, batch, seq int) {
	type fixture struct {
		net *graph.Net
		in  graph.Batch
	}
	f := once(b, func() any {
		rng := rand.New(rand.NewSource(1))
		p := graph.Init(cfg, gorbert.TaskBase, rng)
		net, err := graph.Build(p, graph.Options{Batch: batch, Seq: seq})
		if err != nil {
			b.Fatal(err)
		}
		return fixture{net, inputs(cfg, batch, seq, rng)}
	}).(fixture)
	net, in := f.net, f.in
	run := func() {
		if err := net.Run(in, nil); err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"last_hidden_state", "pooler_output"} {
			if _, err := net.Output(name); err != nil {
				b.Fatal(err)
			}
		}
	}
	run() // compile and warm up
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run()
	}
	b.StopTimer()
	reportGFLOPs(b, FLOPs(cfg, batch, seq, 0, false))
	b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "seq/s")
}

func BenchmarkForward_Base_B1_S128(b *testing.B) { benchForward(b, gorbert.Base(), 1, 128) }
func BenchmarkForward_Base_B8_S128(b *testing.B) { benchForward(b, gorbert.Base(), 8, 128) }
func BenchmarkForward_Base_B1_S512(b *testing.B) { benchForward(b, gorbert.Base(), 1, 512) }
func BenchmarkForward_Mini_B1_S128(b *testing.B) { benchForward(b, gorbert.Mini(), 1, 128) }
func BenchmarkForward_Mini_B8_S128(b *testing.B) { benchForward(b, gorbert.Mini(), 8, 128) }
func BenchmarkForward_Mini_B1_S512(b *testing.B) { benchForward(b, gorbert.Mini(), 1, 512) }

// benchTrainStep times one optimizer step of BertForPreTraining (MLM on the
// gathered masked positions + NSP, dropout on, AdamW), as the anchor's
// "train --mlm-gather 20".
func benchTrainStep(b *testing.B, cfg gorbert.Config, batch, seq, perSeq int) {
	type fixture struct {
		s  *train.Stepper
		in graph.Batch
	}
	f := once(b, func() any {
		rng := rand.New(rand.NewSource(1))
		p := graph.Init(cfg, gorbert.TaskPretraining, rng)
		s, err := train.NewStepper(p, train.StepConfig{MaskedPositions: batch * perSeq, Dropout: true, Seed: 1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		return fixture{s, withLabels(inputs(cfg, batch, seq, rng), perSeq, rng)}
	}).(fixture)
	s, in := f.s, f.in
	sched := optim.Constant(1e-4)
	step := func() {
		if _, err := s.Step([]graph.Batch{in}, sched); err != nil {
			b.Fatal(err)
		}
	}
	step()
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		step()
	}
	b.StopTimer()
	reportGFLOPs(b, FLOPs(cfg, batch, seq, batch*perSeq, true))
	b.ReportMetric(float64(batch)*float64(b.N)/b.Elapsed().Seconds(), "seq/s")
}

func BenchmarkTrainStep_Mini_B16_S128_Gather20(b *testing.B) {
	benchTrainStep(b, gorbert.Mini(), 16, 128, gatherPerSeq)
}
func BenchmarkTrainStep_Base_B8_S128_Gather20(b *testing.B) {
	benchTrainStep(b, gorbert.Base(), 8, 128, gatherPerSeq)
}

// benchLayer times one encoder layer (attention + FFN, inference) on random
// activations: the unit the model repeats L times.
func benchLayer(b *testing.B, cfg gorbert.Config, batch, seq int) {
	m := once(b, func() any { return buildLayer(b, cfg, batch, seq) }).(*gx.Machine)
	if err := m.Run(); err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := m.Run(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	reportGFLOPs(b, LayerFLOPs(cfg, batch, seq))
}

// buildLayer compiles one encoder layer with random weights and inputs.
func buildLayer(b *testing.B, cfg gorbert.Config, batch, seq int) *gx.Machine {
	cfg.NumHiddenLayers = 1
	rng := rand.New(rand.NewSource(1))
	p := graph.Init(cfg, gorbert.TaskBase, rng)
	gb := gx.NewBuilder(tensor.Float32)
	c := layers.Context{B: gb, Config: cfg, Batch: batch, Seq: seq}
	nodes := map[string]*gx.Node{}
	scope := layers.NewScope(func(name string) *gx.Node {
		if n, ok := nodes[name]; ok {
			return n
		}
		nodes[name] = gb.Param(name, p.Tensors[name])
		return nodes[name]
	})
	x := gb.Input("x", batch*seq, cfg.HiddenSize)
	mask := gb.Input("mask", batch, seq)
	out, _ := layers.Layer(c, scope.Sub("bert").Sub("encoder").Sub("layer").Sub("0"), x, mask)
	if err := gb.Err(); err != nil || out == nil {
		b.Fatal(err)
	}
	xv := make([]float32, batch*seq*cfg.HiddenSize)
	for i := range xv {
		xv[i] = float32(rng.NormFloat64())
	}
	mv := make([]float32, batch*seq)
	for i := range mv {
		mv[i] = 1
	}
	if err := gx.Let(x, tensor.New(tensor.WithShape(batch*seq, cfg.HiddenSize), tensor.WithBacking(xv))); err != nil {
		b.Fatal(err)
	}
	if err := gx.Let(mask, tensor.New(tensor.WithShape(batch, seq), tensor.WithBacking(mv))); err != nil {
		b.Fatal(err)
	}
	return gx.Compile(gb.Graph())
}

func BenchmarkEncoderLayer_Base_B1_S128(b *testing.B) { benchLayer(b, gorbert.Base(), 1, 128) }
func BenchmarkEncoderLayer_Base_B8_S128(b *testing.B) { benchLayer(b, gorbert.Base(), 8, 128) }
func BenchmarkEncoderLayer_Base_B1_S512(b *testing.B) { benchLayer(b, gorbert.Base(), 1, 512) }
func BenchmarkEncoderLayer_Mini_B1_S128(b *testing.B) { benchLayer(b, gorbert.Mini(), 1, 128) }
