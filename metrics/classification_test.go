package metrics

import (
	"errors"
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestClassificationScores(t *testing.T) {
	tests := []struct {
		name                   string
		yTrue, yPred           []int
		acc, macro, micro, mcc float64
	}{
		{
			// scikit-learn's f1_score docstring example: macro 0.2666…, micro 0.3333….
			name:  "sklearn f1 docstring",
			yTrue: []int{0, 1, 2, 0, 1, 2}, yPred: []int{0, 2, 1, 0, 0, 1},
			// Per class F1 = 0.8, 0, 0. MCC: c=2, s=6, t=(2,2,2), p=(3,2,1),
			// Σp·t = 12 = c·s, so the covariance is 0.
			acc: 2.0 / 6, macro: 0.8 / 3, micro: 2.0 / 6, mcc: 0,
		},
		{
			// c=5, s=6, t=(2,2,2), p=(2,1,3): (30−12)/sqrt((36−14)(36−12)).
			name:  "three classes, one error",
			yTrue: []int{0, 0, 1, 1, 2, 2}, yPred: []int{0, 0, 1, 2, 2, 2},
			// F1: class 0 = 1, class 1 = 2·1·0.5/1.5 = 2/3, class 2 = 2·(2/3)·1/(5/3) = 0.8.
			acc: 5.0 / 6, macro: (1 + 2.0/3 + 0.8) / 3, micro: 5.0 / 6, mcc: 18 / math.Sqrt(22*24),
		},
		{
			name:  "perfect",
			yTrue: []int{3, 1, 3}, yPred: []int{3, 1, 3},
			acc: 1, macro: 1, micro: 1, mcc: 1,
		},
		{
			// A predicted class absent from the gold labels still enters the macro
			// mean (with F1 0), as scikit-learn's union of labels does.
			name:  "spurious predicted class",
			yTrue: []int{0, 0, 1, 1}, yPred: []int{0, 2, 1, 1},
			// F1: class 0 = 2·1·0.5/1.5 = 2/3, class 1 = 1, class 2 = 0.
			// MCC: c=3, s=4, t=(2,2,0), p=(1,2,1): (12−6)/sqrt((16−6)(16−8)).
			acc: 0.75, macro: (2.0/3 + 1) / 3, micro: 0.75, mcc: 6 / math.Sqrt(80),
		},
		{
			// Every prediction is the same class: MCC's denominator is 0, and
			// scikit-learn returns 0.
			name:  "constant prediction",
			yTrue: []int{0, 1, 1, 0}, yPred: []int{1, 1, 1, 1},
			// F1: class 0 = 0, class 1 = 2·0.5·1/1.5 = 2/3.
			acc: 0.5, macro: 1.0 / 3, micro: 0.5, mcc: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check := func(what string, f func([]int, []int) (float64, error), want float64) {
				got, err := f(tc.yTrue, tc.yPred)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if !near(got, want) {
					t.Errorf("%s = %.12f, want %.12f", what, got, want)
				}
			}
			check("Accuracy", Accuracy[int], tc.acc)
			check("F1Macro", F1Macro[int], tc.macro)
			check("F1Micro", F1Micro[int], tc.micro)
			check("MatthewsCorrCoef", MatthewsCorrCoef[int], tc.mcc)
		})
	}
}

func TestMatthewsBinaryDocstring(t *testing.T) {
	// scikit-learn's matthews_corrcoef docstring: -0.33….
	got, err := MatthewsCorrCoef([]int{1, 1, 1, -1}, []int{1, -1, 1, 1})
	if err != nil || !near(got, -1.0/3) {
		t.Fatalf("MCC = %v, %v; want -1/3", got, err)
	}
}

func TestStringLabelsAndBinaryF1(t *testing.T) {
	yTrue := []string{"pos", "neg", "pos", "pos"}
	yPred := []string{"pos", "pos", "neg", "pos"}
	// Positive class: tp=2, fp=1, fn=1 → p = r = 2/3.
	got, err := F1Binary(yTrue, yPred, "pos")
	if err != nil || !near(got, 2.0/3) {
		t.Fatalf("F1Binary = %v, %v; want 2/3", got, err)
	}
	got, err = F1Binary(yTrue, yPred, "neutral")
	if err != nil || got != 0 {
		t.Fatalf("F1Binary of an absent class = %v, %v; want 0", got, err)
	}
	scores, err := PerClass(yTrue, yPred)
	if err != nil {
		t.Fatal(err)
	}
	if len(scores) != 2 || scores[0].Label != "neg" || scores[1].Label != "pos" {
		t.Fatalf("labels not sorted: %+v", scores)
	}
	if s := scores[1]; s.TP != 2 || s.FP != 1 || s.FN != 1 || s.Support != 3 {
		t.Fatalf("pos counts: %+v", s)
	}
}

func TestClassificationErrors(t *testing.T) {
	if _, err := Accuracy([]int{1, 2}, []int{1}); err == nil {
		t.Error("Accuracy: length mismatch accepted")
	}
	if _, err := F1Macro([]int{1}, []int{1, 2}); err == nil {
		t.Error("F1Macro: length mismatch accepted")
	}
	if _, err := MatthewsCorrCoef([]int{}, []int{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("MatthewsCorrCoef on nothing: %v, want ErrEmpty", err)
	}
}
