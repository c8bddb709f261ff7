package metrics

import (
	"math"
	"testing"
)

func TestMaskedLMAccuracy(t *testing.T) {
	acc, n, err := MaskedLMAccuracy([]int{5, 6, 7, 8}, []int{5, IgnoreIndex, 0, 8})
	if err != nil || n != 3 || !near(acc, 2.0/3) {
		t.Errorf("got %v over %d, %v; want 2/3 over 3", acc, n, err)
	}
	if _, _, err := MaskedLMAccuracy([]int{1}, []int{IgnoreIndex}); err == nil {
		t.Error("no masked positions accepted")
	}
	if _, _, err := MaskedLMAccuracy([]int{1, 2}, []int{1}); err == nil {
		t.Error("length mismatch accepted")
	}
}

func TestPerplexity(t *testing.T) {
	// exp(mean(ln 2, ln 8)) = exp(ln 4) = 4.
	p, err := Perplexity([]float64{math.Log(2), math.Log(8)})
	if err != nil || !near(p, 4) {
		t.Errorf("Perplexity = %v, %v; want 4", p, err)
	}
	// A uniform guess over V tokens has loss ln V and perplexity V.
	p, err = PerplexityFromTotal(3*math.Log(30522), 3)
	if err != nil || math.Abs(p-30522) > 1e-6 {
		t.Errorf("PerplexityFromTotal = %v, %v; want 30522", p, err)
	}
	if _, err := Perplexity(nil); err == nil {
		t.Error("empty losses accepted")
	}
	if _, err := PerplexityFromTotal(1, 0); err == nil {
		t.Error("zero tokens accepted")
	}
}
