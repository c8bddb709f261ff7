package metrics

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrEmpty is returned when a metric is asked for on no examples at all: the
// reference tools either divide by zero or return NaN there, and a silent 0 or
// NaN would hide a bug in the caller (an empty evaluation set).
var ErrEmpty = errors.New("metrics: no examples")

// checkPair is the shared length check of all the functions that compare gold
// values with predictions position by position.
func checkPair(nTrue, nPred int) error {
	if nTrue != nPred {
		return fmt.Errorf("metrics: %d gold values but %d predictions", nTrue, nPred)
	}
	if nTrue == 0 {
		return ErrEmpty
	}
	return nil
}

// Accuracy is the fraction of positions where the prediction equals the gold
// label (sklearn.metrics.accuracy_score).
func Accuracy[L comparable](yTrue, yPred []L) (float64, error) {
	if err := checkPair(len(yTrue), len(yPred)); err != nil {
		return 0, err
	}
	correct := 0
	for i := range yTrue {
		if yTrue[i] == yPred[i] {
			correct++
		}
	}
	return float64(correct) / float64(len(yTrue)), nil
}

// ClassScore holds the per-class counts and scores of a multi-class problem.
type ClassScore[L cmp.Ordered] struct {
	Label     L
	Precision float64
	Recall    float64
	F1        float64
	Support   int // number of gold examples of this class
	TP        int // true positives
	FP        int // false positives: predicted this class, gold is another
	FN        int // false negatives: gold is this class, predicted another
}

// PerClass returns one ClassScore for every label that occurs in either yTrue
// or yPred, in sorted label order: the label set scikit-learn uses when no
// explicit labels are given. A precision or recall whose denominator is zero is
// 0, as scikit-learn's default zero_division does.
func PerClass[L cmp.Ordered](yTrue, yPred []L) ([]ClassScore[L], error) {
	if err := checkPair(len(yTrue), len(yPred)); err != nil {
		return nil, err
	}
	index := map[L]int{}
	for _, l := range yTrue {
		index[l] = 0
	}
	for _, l := range yPred {
		index[l] = 0
	}
	labels := make([]L, 0, len(index))
	for l := range index {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	scores := make([]ClassScore[L], len(labels))
	for i, l := range labels {
		index[l] = i
		scores[i].Label = l
	}
	for i := range yTrue {
		t, p := index[yTrue[i]], index[yPred[i]]
		scores[t].Support++
		if t == p {
			scores[t].TP++
		} else {
			scores[t].FN++
			scores[p].FP++
		}
	}
	for i := range scores {
		s := &scores[i]
		s.Precision = ratio(s.TP, s.TP+s.FP)
		s.Recall = ratio(s.TP, s.TP+s.FN)
		s.F1 = f1(s.Precision, s.Recall)
	}
	return scores, nil
}

// F1Macro is the unweighted mean of the per-class F1 scores
// (f1_score(average="macro")): every class counts the same however rare it is.
func F1Macro[L cmp.Ordered](yTrue, yPred []L) (float64, error) {
	scores, err := PerClass(yTrue, yPred)
	if err != nil {
		return 0, err
	}
	sum := 0.0
	for _, s := range scores {
		sum += s.F1
	}
	return sum / float64(len(scores)), nil
}

// F1Micro computes F1 from the true/false positive counts summed over all
// classes (f1_score(average="micro")). When every class is included, as here,
// it equals Accuracy for single-label multi-class data; it is provided so that
// reports can name the number the way the reference does.
func F1Micro[L cmp.Ordered](yTrue, yPred []L) (float64, error) {
	scores, err := PerClass(yTrue, yPred)
	if err != nil {
		return 0, err
	}
	var tp, fp, fn int
	for _, s := range scores {
		tp += s.TP
		fp += s.FP
		fn += s.FN
	}
	return f1(ratio(tp, tp+fp), ratio(tp, tp+fn)), nil
}

// F1Binary is the F1 of the positive class alone (f1_score with the default
// average="binary"), the number GLUE reports for MRPC and QQP.
func F1Binary[L cmp.Ordered](yTrue, yPred []L, positive L) (float64, error) {
	scores, err := PerClass(yTrue, yPred)
	if err != nil {
		return 0, err
	}
	for _, s := range scores {
		if s.Label == positive {
			return s.F1, nil
		}
	}
	// The positive class never occurs: no true positives, so F1 is 0.
	return 0, nil
}

// MatthewsCorrCoef is the multi-class Matthews correlation coefficient in the
// form scikit-learn's matthews_corrcoef uses (Gorodkin's R_K statistic):
//
//	(c·s − Σ p_k·t_k) / sqrt((s² − Σ p_k²)·(s² − Σ t_k²))
//
// with s examples, c of them correct, t_k gold and p_k predicted examples of
// class k. For two classes it is the usual phi coefficient. When the
// denominator is zero (all gold or all predicted labels are one class) the
// result is 0, as scikit-learn returns.
func MatthewsCorrCoef[L comparable](yTrue, yPred []L) (float64, error) {
	if err := checkPair(len(yTrue), len(yPred)); err != nil {
		return 0, err
	}
	t := map[L]float64{}
	p := map[L]float64{}
	c := 0.0
	for i := range yTrue {
		t[yTrue[i]]++
		p[yPred[i]]++
		if yTrue[i] == yPred[i] {
			c++
		}
	}
	s := float64(len(yTrue))
	var pt, pp, tt float64
	for l, tk := range t {
		pt += tk * p[l]
		tt += tk * tk
	}
	for _, pk := range p {
		pp += pk * pk
	}
	cov := c*s - pt
	den := (s*s - pp) * (s*s - tt)
	if den == 0 {
		return 0, nil
	}
	return cov / math.Sqrt(den), nil
}

// ratio is num/den with 0 for an empty denominator (scikit-learn's and
// seqeval's zero_division default).
func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}

// f1 is the harmonic mean of precision and recall, 0 when both are 0.
func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
