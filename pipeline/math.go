package pipeline

import (
	"math"
	"sort"
)

// softmax returns the probabilities of logits in float32, as the reference
// computes them (max subtracted, exp, divided by the sum).
func softmax(logits []float32) []float32 {
	m := float32(math.Inf(-1))
	for _, v := range logits {
		m = max(m, v)
	}
	var sum float64
	e := make([]float64, len(logits))
	for i, v := range logits {
		e[i] = math.Exp(float64(v - m))
		sum += e[i]
	}
	out := make([]float32, len(logits))
	for i := range e {
		out[i] = float32(e[i] / sum)
	}
	return out
}

func sigmoid(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }

// argmax is the first index of the largest value (numpy's argmax).
func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// topK returns the indices of the k largest values, largest first; equal
// values keep index order.
func topK(v []float32, k int) []int {
	k = min(k, len(v))
	if k <= 0 {
		return nil
	}
	// Keep the best k seen so far, sorted; a value enters only when it beats
	// the worst kept one, so equal values keep index order.
	best := make([]int, 0, k)
	for i, x := range v {
		if len(best) == k && !(x > v[best[k-1]]) {
			continue
		}
		pos := sort.Search(len(best), func(j int) bool { return x > v[best[j]] })
		if len(best) < k {
			best = append(best, 0)
		}
		copy(best[pos+1:], best[pos:len(best)-1])
		best[pos] = i
	}
	return best
}
