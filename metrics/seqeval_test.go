package metrics

import (
	"slices"
	"testing"
)

func TestEntities(t *testing.T) {
	tests := []struct {
		name string
		tags [][]string
		want []Entity
	}{
		{"plain BIO", [][]string{{"B-PER", "I-PER", "O", "B-LOC"}},
			[]Entity{{"PER", 0, 1}, {"LOC", 3, 3}}},
		// An I- tag after O starts an entity (conlleval), it is not dropped.
		{"I after O starts an entity", [][]string{{"O", "I-PER", "I-PER"}},
			[]Entity{{"PER", 1, 2}}},
		{"I at sentence start", [][]string{{"I-ORG", "O"}},
			[]Entity{{"ORG", 0, 0}}},
		// A type change inside a run splits it, whatever the prefix.
		{"type change B then I", [][]string{{"B-PER", "I-LOC", "I-LOC"}},
			[]Entity{{"PER", 0, 0}, {"LOC", 1, 2}}},
		{"type change I then I", [][]string{{"I-PER", "I-LOC"}},
			[]Entity{{"PER", 0, 0}, {"LOC", 1, 1}}},
		{"B after B", [][]string{{"B-PER", "B-PER", "I-PER"}},
			[]Entity{{"PER", 0, 0}, {"PER", 1, 2}}},
		// Each sentence is followed by an extra O position, so entities never
		// join across sentences and positions skip one between sentences.
		{"sentence boundary", [][]string{{"B-PER"}, {"I-PER", "I-PER"}},
			[]Entity{{"PER", 0, 0}, {"PER", 2, 3}}},
		{"IOBES", [][]string{{"S-PER", "B-LOC", "I-LOC", "E-LOC", "O"}},
			[]Entity{{"PER", 0, 0}, {"LOC", 1, 3}}},
		{"type without prefix dash", [][]string{{"B", "I", "O"}},
			[]Entity{{"_", 0, 1}}},
		{"nothing", [][]string{{"O", "O"}}, nil},
		{"no sentences", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Entities(tc.tags); !slices.Equal(got, tc.want) {
				t.Errorf("Entities(%v) = %v, want %v", tc.tags, got, tc.want)
			}
		})
	}
}

func TestSeqEvalReadmeExample(t *testing.T) {
	// seqeval's README: f1 0.50, accuracy 0.80; report MISC 0/0/0 support 1,
	// PER 1/1/1 support 1, all averages 0.50.
	yTrue := [][]string{{"O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"}, {"B-PER", "I-PER", "O"}}
	yPred := [][]string{{"O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"}, {"B-PER", "I-PER", "O"}}
	rep, err := SeqEval(yTrue, yPred)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Types, []string{"MISC", "PER"}) {
		t.Fatalf("types %v", rep.Types)
	}
	want := map[string]EntityScore{
		"MISC": {Precision: 0, Recall: 0, F1: 0, Support: 1, Predicted: 1, Correct: 0},
		"PER":  {Precision: 1, Recall: 1, F1: 1, Support: 1, Predicted: 1, Correct: 1},
	}
	for typ, w := range want {
		if got := rep.PerType[typ]; got != w {
			t.Errorf("%s: %+v, want %+v", typ, got, w)
		}
	}
	for name, s := range map[string]EntityScore{"micro": rep.Micro, "macro": rep.Macro, "weighted": rep.Weighted} {
		if !near(s.Precision, 0.5) || !near(s.Recall, 0.5) || !near(s.F1, 0.5) || s.Support != 2 {
			t.Errorf("%s avg: %+v, want 0.5/0.5/0.5 support 2", name, s)
		}
	}
	acc, err := TokenAccuracy(yTrue, yPred)
	if err != nil || !near(acc, 0.8) {
		t.Errorf("accuracy %v, %v; want 0.8", acc, err)
	}
}

func TestSeqEvalByHand(t *testing.T) {
	// Gold: PER(0-1) LOC(3) ORG(5-6) | LOC(8) PER(10)
	// Pred: PER(0-1) LOC(3-4) ORG(5-6) | LOC(8) LOC(10) MISC(11)
	// (The second sentence starts at position 8: seven tags plus the separator.)
	yTrue := [][]string{
		{"B-PER", "I-PER", "O", "B-LOC", "O", "B-ORG", "I-ORG"},
		{"B-LOC", "O", "B-PER", "O"},
	}
	yPred := [][]string{
		{"B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-ORG", "I-ORG"}, // I-ORG after I-LOC opens ORG
		{"B-LOC", "O", "B-LOC", "I-MISC"},
	}
	rep, err := SeqEval(yTrue, yPred)
	if err != nil {
		t.Fatal(err)
	}
	// Per type: LOC gold 2 pred 3 correct 1; MISC gold 0 pred 1; ORG 1/1/1; PER gold 2 pred 1 correct 1.
	want := map[string][3]int{"LOC": {2, 3, 1}, "MISC": {0, 1, 0}, "ORG": {1, 1, 1}, "PER": {2, 1, 1}}
	for typ, w := range want {
		s := rep.PerType[typ]
		if s.Support != w[0] || s.Predicted != w[1] || s.Correct != w[2] {
			t.Errorf("%s counts %+v, want support/pred/correct %v", typ, s, w)
		}
	}
	// Micro: 3 correct of 6 predicted and 5 gold → p 0.5, r 0.6, f1 6/11.
	if m := rep.Micro; !near(m.Precision, 0.5) || !near(m.Recall, 0.6) || !near(m.F1, 6.0/11) {
		t.Errorf("micro %+v", m)
	}
	// Macro over LOC, MISC, ORG, PER. F1s: LOC p 1/3 r 1/2 → 0.4; MISC 0; ORG 1;
	// PER p 1 r 1/2 → 2/3.
	if m := rep.Macro; !near(m.F1, (0.4+0+1+2.0/3)/4) || !near(m.Precision, (1.0/3+0+1+1)/4) || !near(m.Recall, (0.5+0+1+0.5)/4) {
		t.Errorf("macro %+v", m)
	}
	// Weighted by gold support 2, 0, 1, 2 (total 5).
	if m := rep.Weighted; !near(m.F1, (2*0.4+1+2*2.0/3)/5) {
		t.Errorf("weighted %+v", m)
	}
}

func TestSeqEvalNoEntities(t *testing.T) {
	rep, err := SeqEval([][]string{{"O"}}, [][]string{{"O"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Types) != 0 || rep.Micro.F1 != 0 || rep.Micro.Support != 0 {
		t.Errorf("report %+v", rep)
	}
}

func TestSeqEvalLengthErrors(t *testing.T) {
	if _, err := SeqEval([][]string{{"O"}}, [][]string{{"O"}, {"O"}}); err == nil {
		t.Error("sentence count mismatch accepted")
	}
	if _, err := SeqEval([][]string{{"O", "B-PER"}}, [][]string{{"O"}}); err == nil {
		t.Error("sentence length mismatch accepted")
	}
	if _, err := TokenAccuracy([][]string{{"O"}}, [][]string{{}}); err == nil {
		t.Error("TokenAccuracy length mismatch accepted")
	}
}
