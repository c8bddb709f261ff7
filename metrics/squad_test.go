package metrics

import (
	"slices"
	"testing"
)

func TestNormalizeAnswer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"The Quick, Brown fox!", "quick brown fox"},
		{"an apple a day", "apple day"},
		{"  Denver \t  Broncos\n", "denver broncos"},
		{"Thea and Theo", "thea and theo"}, // only whole words are articles
		{"a-b", "ab"},                      // punctuation is deleted, not spaced
		{"the_end", "theend"},              // _ is punctuation, so it goes first
		{"(the) answer", "answer"},         // punctuation removal exposes "the"
		{"théa", "théa"},                   // é is a word character: no boundary before "a"
		{"Ångström THE", "ångström"},
		{"24–10", "24–10"}, // the en dash is not ASCII punctuation
		{"The", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := NormalizeAnswer(tc.in); got != tc.want {
			t.Errorf("NormalizeAnswer(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSQuADPairScores(t *testing.T) {
	tests := []struct {
		pred, gold      string
		exact, f1, f1v2 float64
	}{
		{"Denver Broncos", "the Denver Broncos", 1, 1, 1},
		// "denver broncos" vs "denver broncos team": p 1, r 2/3.
		{"Denver Broncos", "Denver Broncos team", 0, 0.8, 0.8},
		// Shared tokens count with multiplicity: x once, y once.
		{"x x y", "x y y", 0, 2.0 / 3, 2.0 / 3},
		{"Carolina", "Denver", 0, 0, 0},
		// Both empty: an exact match, but v1.1's F1 is 0 (no shared token)
		// while v2.0 counts agreeing no-answers as F1 1.
		{"", "", 1, 0, 1},
		{"", "Denver", 0, 0, 0},
		{"a the", "", 1, 0, 1}, // normalises to empty
	}
	for _, tc := range tests {
		if got := SQuADExact(tc.pred, tc.gold); got != tc.exact {
			t.Errorf("SQuADExact(%q, %q) = %v, want %v", tc.pred, tc.gold, got, tc.exact)
		}
		if got := SQuADF1(tc.pred, tc.gold); !near(got, tc.f1) {
			t.Errorf("SQuADF1(%q, %q) = %v, want %v", tc.pred, tc.gold, got, tc.f1)
		}
		if got := SQuADF1V2(tc.pred, tc.gold); !near(got, tc.f1v2) {
			t.Errorf("SQuADF1V2(%q, %q) = %v, want %v", tc.pred, tc.gold, got, tc.f1v2)
		}
	}
}

func TestSQuADV1(t *testing.T) {
	qs := []SQuADQuestion{
		{ID: "q1", Answers: []string{"Denver Broncos", "Broncos"}},
		{ID: "q2", Answers: []string{"Santa Clara, California", "Levi's Stadium"}},
		{ID: "q3", Answers: []string{"February 7, 2016"}},
	}
	preds := map[string]string{
		"q1": "broncos",     // EM 1 against the second answer
		"q2": "Santa Clara", // F1 0.8 against the first, 0 against the second
	}
	res, err := SQuADV1(qs, preds)
	if err != nil {
		t.Fatal(err)
	}
	// The missing q3 scores 0 but counts: EM 1/3, F1 1.8/3.
	if !near(res.Exact, 100.0/3) || !near(res.F1, 60) || res.Total != 3 {
		t.Errorf("result %+v, want EM 33.33 F1 60 total 3", res)
	}
	if !slices.Equal(res.Missing, []string{"q3"}) {
		t.Errorf("missing %v", res.Missing)
	}
	if _, err := SQuADV1(nil, preds); err == nil {
		t.Error("no questions accepted")
	}
}

func TestSQuADV2(t *testing.T) {
	qs := []SQuADQuestion{
		{ID: "q1", Answers: []string{"Paris"}},
		{ID: "q2"},
		{ID: "q3"},
		{ID: "q4", Answers: []string{"the Seine river"}},
	}
	preds := map[string]string{"q1": "Paris", "q2": "", "q3": "London", "q4": "river"}
	naProbs := map[string]float64{"q1": 0.1, "q2": 0.9, "q3": 0.5, "q4": 0.2}

	res, err := SQuADV2(qs, preds, naProbs, 1.0)
	if err != nil {
		t.Fatal(err)
	}
	// Raw scores: EM 1, 1, 0, 0; F1 1, 1, 0, 2/3 ("seine river" vs "river").
	want := SQuADScore{Exact: 50, F1: 100 * (8.0 / 3) / 4, Total: 4}
	checkScore(t, "all", res.SQuADScore, want)
	checkScore(t, "HasAns", res.HasAns, SQuADScore{Exact: 50, F1: 100 * (5.0 / 3) / 2, Total: 2})
	checkScore(t, "NoAns", res.NoAns, SQuADScore{Exact: 50, F1: 50, Total: 2})

	// Best threshold, walking q1 (0.1), q4 (0.2), q3 (0.5), q2 (0.9) from 2
	// (both no-answer questions right):
	//   EM: 3, 3, 2, 2 → best 3 at 0.1; F1: 3, 3⅔, 2⅔, 2⅔ → best 3⅔ at 0.2.
	if !near(res.BestExact, 75) || res.BestExactThresh != 0.1 {
		t.Errorf("best exact %v at %v, want 75 at 0.1", res.BestExact, res.BestExactThresh)
	}
	if !near(res.BestF1, 100*(11.0/3)/4) || res.BestF1Thresh != 0.2 {
		t.Errorf("best F1 %v at %v, want 91.67 at 0.2", res.BestF1, res.BestF1Thresh)
	}

	// With threshold 0.4, q3 (0.5) and q2 (0.9) are taken as no-answer, and
	// both are unanswerable: EM 1, 1, 1, 0.
	res, err = SQuADV2(qs, preds, naProbs, 0.4)
	if err != nil {
		t.Fatal(err)
	}
	checkScore(t, "thresh 0.4", res.SQuADScore, SQuADScore{Exact: 75, F1: 100 * (11.0 / 3) / 4, Total: 4})
}

func TestSQuADV2Details(t *testing.T) {
	// An answer list whose texts all normalise to empty still makes the
	// question HasAns, but the only way to score on it is an empty answer.
	qs := []SQuADQuestion{{ID: "x", Answers: []string{"The"}}}
	res, err := SQuADV2(qs, map[string]string{"x": ""}, nil, 1.0)
	if err != nil {
		t.Fatal(err)
	}
	checkScore(t, "all", res.SQuADScore, SQuADScore{Exact: 100, F1: 100, Total: 1})
	checkScore(t, "HasAns", res.HasAns, SQuADScore{Exact: 100, F1: 100, Total: 1})
	if res.NoAns.Total != 0 || res.BestF1 != 0 {
		t.Errorf("unexpected NoAns/best fields: %+v", res)
	}
	if _, err := SQuADV2(qs, map[string]string{}, nil, 1.0); err == nil {
		t.Error("missing prediction accepted")
	}
	if _, err := SQuADV2(qs, map[string]string{"x": ""}, map[string]float64{}, 1.0); err == nil {
		t.Error("missing no-answer probability accepted")
	}
}

func checkScore(t *testing.T, name string, got, want SQuADScore) {
	t.Helper()
	if !near(got.Exact, want.Exact) || !near(got.F1, want.F1) || got.Total != want.Total {
		t.Errorf("%s: %+v, want %+v", name, got, want)
	}
}
