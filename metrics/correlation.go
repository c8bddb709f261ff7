package metrics

import (
	"fmt"
	"math"
	"slices"
)

// Pearson is the Pearson product-moment correlation of x and y
// (scipy.stats.pearsonr's statistic). Like scipy it returns NaN when either
// input is constant, because the correlation is undefined there. It needs at
// least two points.
func Pearson(x, y []float64) (float64, error) {
	if err := checkPair(len(x), len(y)); err != nil {
		return 0, err
	}
	if len(x) < 2 {
		return 0, fmt.Errorf("metrics: Pearson needs at least 2 points, got %d", len(x))
	}
	mx, my := mean(x), mean(y)
	// Centre first, then accumulate: the one-pass formula Σxy − n·x̄·ȳ loses
	// most of its digits when the means are large compared to the spread.
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return math.NaN(), nil
	}
	r := sxy / math.Sqrt(sxx*syy)
	// Rounding can push |r| a hair past 1; scipy clips it too.
	return max(-1, min(1, r)), nil
}

// Spearman is Spearman's rank correlation (scipy.stats.spearmanr's statistic):
// the Pearson correlation of the ranks, tied values sharing the average of the
// ranks they span.
func Spearman(x, y []float64) (float64, error) {
	if err := checkPair(len(x), len(y)); err != nil {
		return 0, err
	}
	return Pearson(Rank(x), Rank(y))
}

// Rank returns the 1-based ranks of v, ties receiving the mean of their ranks
// (scipy.stats.rankdata(method="average")): Rank([10, 20, 20, 5]) is
// [2, 3.5, 3.5, 1].
func Rank(v []float64) []float64 {
	order := make([]int, len(v))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case v[a] < v[b]:
			return -1
		case v[a] > v[b]:
			return 1
		}
		return 0
	})
	ranks := make([]float64, len(v))
	for i := 0; i < len(order); {
		j := i
		for j+1 < len(order) && v[order[j+1]] == v[order[i]] {
			j++
		}
		// Positions i..j (0-based) hold equal values; their 1-based ranks are
		// i+1..j+1, whose mean is (i+j)/2 + 1.
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			ranks[order[k]] = avg
		}
		i = j + 1
	}
	return ranks
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
