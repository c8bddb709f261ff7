package tasks

import (
	"path/filepath"
	"strings"
	"testing"
)

// A v2.0-style fixture: a non-ASCII context (the en dash is 3 bytes, 1 code
// point, so byte and character offsets differ after it), an unanswerable
// question with a plausible answer, and one answer whose answer_start is off.
const squadFixture = `{"version": "v2.0", "data": [{"title": "Super_Bowl_50", "paragraphs": [
 {"context": "Denver beat Carolina 24–10 at Levi's Stadium.",
  "qas": [
   {"id": "q1", "question": "Who won?", "answers": [{"text": "Denver", "answer_start": 0}, {"text": "Denver", "answer_start": 0}]},
   {"id": "q2", "question": "Where?", "answers": [{"text": "Levi's Stadium", "answer_start": 30}]},
   {"id": "q3", "question": "Who lost by 20?", "answers": [], "is_impossible": true,
    "plausible_answers": [{"text": "Carolina", "answer_start": 12}]},
   {"id": "q4", "question": "Score?", "answers": [{"text": "24–10", "answer_start": 20}]}
  ]}]}]}`

func TestParseSQuAD(t *testing.T) {
	ex, stats, err := ParseSQuAD(strings.NewReader(squadFixture), "fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 4 || stats.Questions != 4 || stats.Articles != 1 || stats.Paragraphs != 1 ||
		stats.Answers != 4 || stats.Unanswerable != 1 || stats.Version != "v2.0" {
		t.Fatalf("stats %+v, %d examples", stats, len(ex))
	}
	// "Levi's Stadium" starts at code point 30 = byte 32 (the dash takes 3 bytes).
	a := ex[1].Answers[0]
	if a.CharStart != 30 || a.Start != 32 || !a.Aligned || ex[1].Context[a.Start:a.End()] != "Levi's Stadium" {
		t.Errorf("q2 answer %+v", a)
	}
	if !ex[2].IsImpossible || len(ex[2].Answers) != 0 || len(ex[2].PlausibleAnswers) != 1 || !ex[2].PlausibleAnswers[0].Aligned {
		t.Errorf("q3 %+v", ex[2])
	}
	if ex[0].Title != "Super_Bowl_50" || ex[0].Question != "Who won?" || len(ex[0].Answers) != 2 {
		t.Errorf("q1 %+v", ex[0])
	}
	// q4's answer_start 20 is the space before "24–10" (code point 21).
	if len(stats.Mismatches) != 1 {
		t.Fatalf("mismatches %v, want exactly q4's", stats.Mismatches)
	}
	m := stats.Mismatches[0]
	if m.QuestionID != "q4" || m.Found != " 24–1" || m.Path != "data[0].paragraphs[0].qas[3].answers[0]" || ex[3].Answers[0].Aligned {
		t.Errorf("mismatch %v", m)
	}
}

func TestParseSQuADErrors(t *testing.T) {
	wrap := func(qas string) string {
		return `{"data": [{"title": "T", "paragraphs": [{"context": "abc", "qas": [` + qas + `]}]}]}`
	}
	tests := []struct{ name, data, wantErr string }{
		{"syntax error with line", "{\"data\": [\n  {\"title\": }\n]}", "x.json: line 2, column"},
		{"wrong type with line", "{\"data\": [\n{\"title\": 5}]}", "x.json: line 2"},
		{"not SQuAD", `{"rows": []}`, `no "data" array`},
		{"missing id", wrap(`{"question": "q", "answers": []}`), "data[0].paragraphs[0].qas[0]: question without an id"},
		{"duplicate id", wrap(`{"id": "a", "question": "q", "answers": []}, {"id": "a", "question": "r", "answers": []}`), "qas[1]: question id a already used at data[0].paragraphs[0].qas[0]"},
		{"missing answer_start", wrap(`{"id": "a", "question": "q", "answers": [{"text": "b"}]}`), "answers[0]: answer without answer_start"},
		{"impossible with answers", wrap(`{"id": "a", "question": "q", "is_impossible": true, "answers": [{"text": "b", "answer_start": 1}]}`), "is_impossible but has 1 answers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseSQuAD(strings.NewReader(tc.data), "x.json")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestReadSQuADv11(t *testing.T) {
	dir := sharedDatasets(t)
	// Counts from the dataset's README.
	for _, c := range []struct {
		file                         string
		articles, questions, answers int
	}{
		{"train-subset.json", 44, 11877, 11877},
		{"dev-v1.1.json", 48, 10570, 34726},
	} {
		ex, stats, err := ReadSQuAD(filepath.Join(dir, "squad_v1.1", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if len(ex) != c.questions || stats.Articles != c.articles || stats.Answers != c.answers || stats.Unanswerable != 0 {
			t.Errorf("%s: %d examples, stats %+v", c.file, len(ex), stats)
		}
		// The README says every answer_start was checked; a mismatch here would
		// mean our code-point → byte conversion is wrong.
		if len(stats.Mismatches) != 0 {
			t.Errorf("%s: %d mismatched answers, first %v", c.file, len(stats.Mismatches), stats.Mismatches[0])
		}
		t.Logf("SQuAD %s: %d questions, %d answers, %d articles", c.file, stats.Questions, stats.Answers, stats.Articles)
	}
}
