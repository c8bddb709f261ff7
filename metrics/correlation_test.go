package metrics

import (
	"math"
	"slices"
	"testing"
)

func TestCorrelation(t *testing.T) {
	tests := []struct {
		name              string
		x, y              []float64
		pearson, spearman float64
	}{
		{
			// scipy.stats.pearsonr docstring example: -0.7426106572325057.
			// Spearman: ranks (1..5) vs (5,4,1,3,2): Σd² = 16+4+4+1+9 = 34,
			// ρ = 1 − 6·34/(5·24) = −0.7.
			name: "scipy pearsonr docstring",
			x:    []float64{1, 2, 3, 4, 5}, y: []float64{10, 9, 2.5, 6, 4},
			pearson: -0.7426106572325057, spearman: -0.7,
		},
		{
			// scipy.stats.spearmanr docstring example: 0.8207826816681233 (y has a
			// tie: ranks 1, 2, 3.5, 5, 3.5). Pearson by hand: x̄ = 3, ȳ = 6.6,
			// Σdx·dy = 3.2+0.6+0+1.4+0.8 = 6, Σdx² = 10, Σdy² = 5.2.
			name: "scipy spearmanr docstring",
			x:    []float64{1, 2, 3, 4, 5}, y: []float64{5, 6, 7, 8, 7},
			pearson: 6 / math.Sqrt(10*5.2), spearman: 0.8207826816681233,
		},
		{
			// ȳ = 7.5: Σdx·dy = 9.75+1.75+0.75+12.75 = 25, Σdx² = 5,
			// Σdy² = 42.25+12.25+2.25+72.25 = 129. The ranks agree exactly.
			name: "monotone but not linear",
			x:    []float64{1, 2, 3, 4}, y: []float64{1, 4, 9, 16},
			pearson: 25 / math.Sqrt(5*129), spearman: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Pearson(tc.x, tc.y)
			if err != nil || !near(p, tc.pearson) {
				t.Errorf("Pearson = %.15f, %v; want %.15f", p, err, tc.pearson)
			}
			s, err := Spearman(tc.x, tc.y)
			if err != nil || !near(s, tc.spearman) {
				t.Errorf("Spearman = %.15f, %v; want %.15f", s, err, tc.spearman)
			}
		})
	}
}

func TestRankTies(t *testing.T) {
	// scipy.stats.rankdata([0, 2, 3, 2]) → [1, 2.5, 4, 2.5].
	if got, want := Rank([]float64{0, 2, 3, 2}), []float64{1, 2.5, 4, 2.5}; !slices.Equal(got, want) {
		t.Errorf("Rank = %v, want %v", got, want)
	}
	if got, want := Rank([]float64{7, 7, 7}), []float64{2, 2, 2}; !slices.Equal(got, want) {
		t.Errorf("Rank = %v, want %v", got, want)
	}
}

func TestCorrelationEdgeCases(t *testing.T) {
	if p, err := Pearson([]float64{1, 1, 1}, []float64{1, 2, 3}); err != nil || !math.IsNaN(p) {
		t.Errorf("Pearson of a constant = %v, %v; want NaN like scipy", p, err)
	}
	if _, err := Pearson([]float64{1}, []float64{1}); err == nil {
		t.Error("Pearson of one point accepted")
	}
	if _, err := Spearman([]float64{1, 2}, []float64{1, 2, 3}); err == nil {
		t.Error("Spearman length mismatch accepted")
	}
}
