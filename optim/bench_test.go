package optim

import (
	"fmt"
	"math/rand"
	"testing"
)

// benchParams splits n parameters into BERT-like tensors of at most 768*3072.
func benchParams(n int) []Param {
	rng := rand.New(rand.NewSource(1))
	var ps []Param
	for i := 0; n > 0; i++ {
		k := min(n, 768*3072)
		n -= k
		p := Param{Name: fmt.Sprintf("bert.encoder.layer.%d.dense.weight", i), Value: make([]float32, k), Grad: make([]float32, k)}
		for j := range p.Value {
			p.Value[j] = float32(rng.NormFloat64() * 0.02)
			p.Grad[j] = float32(rng.NormFloat64() * 1e-3)
		}
		ps = append(ps, p)
	}
	return ps
}

func benchStep(b *testing.B, n int, mk func([]Param) (Optimizer, error)) {
	ps := benchParams(n)
	o, err := mk(ps)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o.Step(1e-4)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
}

// BenchmarkAdamW_10M times one optimizer step over 10M float32 parameters
// (BERT-base has 110M: multiply the per-step time by 11).
func BenchmarkAdamW_10M(b *testing.B) {
	const n = 10_000_000
	b.Run("torch", func(b *testing.B) {
		benchStep(b, n, func(ps []Param) (Optimizer, error) { return NewAdamW(ps, DefaultAdamWConfig()) })
	})
	b.Run("torch-2workers", func(b *testing.B) {
		benchStep(b, n, func(ps []Param) (Optimizer, error) {
			c := DefaultAdamWConfig()
			c.Workers = 2
			return NewAdamW(ps, c)
		})
	})
	b.Run("tf-bert", func(b *testing.B) {
		benchStep(b, n, func(ps []Param) (Optimizer, error) { return NewAdamW(ps, TFBERTAdamWConfig()) })
	})
	b.Run("sgd-momentum", func(b *testing.B) {
		benchStep(b, n, func(ps []Param) (Optimizer, error) { return NewSGD(ps, SGDConfig{Momentum: 0.9}) })
	})
	b.Run("clip", func(b *testing.B) {
		ps := benchParams(n)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ClipGradNorm(ps, 1e9)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
	})
}
