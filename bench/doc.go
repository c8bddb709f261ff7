// Package bench holds gorbert's performance benchmarks: one encoder layer,
// whole-model inference and training steps, at the shapes of the PyTorch
// anchor harness (../shared/perf/bert_bench.py). Each benchmark's name carries
// its shape and reports matmul GFLOP/s counted as the anchor counts them
// (FLOPs), so numbers compare across implementations.
//
// The package has no tests, only benchmarks: `go test ./...` compiles it and
// runs nothing heavy. Run, e.g.:
//
//	go test -run '^$' -bench 'Forward_Base_B1_S128' -benchtime 5x -count 3 ./bench/
//	CGO_LDFLAGS=-lopenblas go test -tags openblas -run '^$' -bench . ./bench/
//
// bench/benchtable runs these next to the PyTorch harness and prints a table.
package bench

import "github.com/gorbert/gorbert"

// FLOPs counts the matmul FLOPs (2·m·n·k) of one forward pass as the PyTorch
// anchor harness does: Q, K, V, O projections, FFN, QKᵀ and PV, the pooler;
// with mlmRows > 0 the MLM transform and tied decoder over that many rows;
// training adds NSP and triples everything (forward + two backward gemms).
func FLOPs(c gorbert.Config, batch, seq, mlmRows int, train bool) float64 {
	H, I, L, V := float64(c.HiddenSize), float64(c.IntermediateSize), float64(c.NumHiddenLayers), float64(c.VocabSize)
	B, S := float64(batch), float64(seq)
	T := B * S
	perLayer := 2*T*H*H*4 + 2*T*H*I*2 + 2*B*S*S*H*2
	f := L*perLayer + 2*B*H*H
	if mlmRows > 0 {
		R := float64(mlmRows)
		f += 2*R*H*H + 2*R*H*V
	}
	if train {
		f += 2 * B * H * 2
		f *= 3
	}
	return f
}

// LayerFLOPs is one encoder layer's share of FLOPs.
func LayerFLOPs(c gorbert.Config, batch, seq int) float64 {
	H, I := float64(c.HiddenSize), float64(c.IntermediateSize)
	T := float64(batch * seq)
	return 2*T*H*H*4 + 2*T*H*I*2 + 2*float64(batch)*float64(seq)*float64(seq)*H*2
}
