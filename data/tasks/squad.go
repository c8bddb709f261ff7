package tasks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// QAExample is one SQuAD question with its paragraph.
type QAExample struct {
	ID       string
	Title    string // the article's title
	Question string
	Context  string
	// Answers are the gold answers: one in a training file, several in a
	// dev file (all of them count in evaluation), none for an unanswerable
	// SQuAD v2.0 question.
	Answers []Answer
	// IsImpossible marks a v2.0 question without an answer in the paragraph:
	// is_impossible is true, or the answer list is empty.
	IsImpossible bool
	// PlausibleAnswers are v2.0's distractor spans of unanswerable questions;
	// they are not answers and are never trained or scored on.
	PlausibleAnswers []Answer
}

// Answer is an answer span in its example's context.
type Answer struct {
	Text string
	// CharStart is answer_start as written in the file: an index in Unicode
	// code points, since the data was made with Python strings.
	CharStart int
	// Start is the byte offset of CharStart in the Go string Context, the
	// coordinate the tokenizer's offsets use; -1 if CharStart is past the end.
	Start int
	// Aligned reports whether Context[Start:Start+len(Text)] == Text. A
	// misaligned answer is kept, listed in SQuADStats.Mismatches, and skipped
	// when training features are built (as HuggingFace and google-research's
	// run_squad skip an answer they "could not find").
	Aligned bool
}

// End is the byte offset just past the answer in the context (valid only when
// Aligned).
func (a Answer) End() int { return a.Start + len(a.Text) }

// SQuADStats describes what ParseSQuAD read.
type SQuADStats struct {
	Version      string // the file's "version" field ("1.1", "v2.0")
	Articles     int
	Paragraphs   int
	Questions    int
	Answers      int // gold answers, over all questions
	Unanswerable int // questions with IsImpossible
	// Mismatches lists every answer (gold or plausible) whose answer_start
	// does not point at its text.
	Mismatches []AnswerMismatch
}

// AnswerMismatch is one answer whose answer_start does not point at its text.
type AnswerMismatch struct {
	QuestionID string
	Path       string // JSON path of the answer, e.g. data[3].paragraphs[0].qas[2].answers[1]
	Text       string // the answer text
	Found      string // the context at answer_start, as long as Text (in code points)
}

func (m AnswerMismatch) String() string {
	return fmt.Sprintf("%s (question %s): answer %q but context has %q", m.Path, m.QuestionID, m.Text, m.Found)
}

// The file's JSON layout, as published by the SQuAD authors.
type squadFile struct {
	Version string `json:"version"`
	Data    []struct {
		Title      string `json:"title"`
		Paragraphs []struct {
			Context string `json:"context"`
			QAs     []struct {
				ID               string        `json:"id"`
				Question         string        `json:"question"`
				Answers          []squadAnswer `json:"answers"`
				IsImpossible     bool          `json:"is_impossible"`
				PlausibleAnswers []squadAnswer `json:"plausible_answers"`
			} `json:"qas"`
		} `json:"paragraphs"`
	} `json:"data"`
}

type squadAnswer struct {
	Text        string `json:"text"`
	AnswerStart *int   `json:"answer_start"`
}

// ReadSQuAD reads a SQuAD v1.1 or v2.0 file; see ParseSQuAD.
func ReadSQuAD(path string) ([]QAExample, SQuADStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, SQuADStats{}, err
	}
	defer f.Close()
	return ParseSQuAD(f, path)
}

// ParseSQuAD reads SQuAD JSON (data[].paragraphs[].context, qas[].id,
// question, answers[].text/answer_start, and v2.0's is_impossible and
// plausible_answers). Malformed JSON is an error with its line and column;
// a question without an id or question text, a repeated id, an answer without
// answer_start, or an is_impossible question with answers is an error with its
// JSON path. Answers whose answer_start does not point at their text are not
// an error: they are counted in the stats (check len(stats.Mismatches)).
func ParseSQuAD(r io.Reader, name string) ([]QAExample, SQuADStats, error) {
	var stats SQuADStats
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, stats, fmt.Errorf("%s: %w", name, err)
	}
	var file squadFile
	if err := json.Unmarshal(raw, &file); err != nil {
		return nil, stats, fmt.Errorf("%s: %w", name, jsonErrorAt(raw, err))
	}
	if file.Data == nil {
		return nil, stats, fmt.Errorf("%s: no \"data\" array; not a SQuAD file", name)
	}
	stats.Version = file.Version
	seen := map[string]string{}
	var out []QAExample
	for ai, art := range file.Data {
		stats.Articles++
		for pi, par := range art.Paragraphs {
			stats.Paragraphs++
			ppath := fmt.Sprintf("data[%d].paragraphs[%d]", ai, pi)
			if par.Context == "" {
				return nil, stats, fmt.Errorf("%s: %s: empty context", name, ppath)
			}
			runes := runeOffsets(par.Context)
			for qi, qa := range par.QAs {
				qpath := fmt.Sprintf("%s.qas[%d]", ppath, qi)
				switch {
				case qa.ID == "":
					return nil, stats, fmt.Errorf("%s: %s: question without an id", name, qpath)
				case qa.Question == "":
					return nil, stats, fmt.Errorf("%s: %s: question %s has no question text", name, qpath, qa.ID)
				case qa.IsImpossible && len(qa.Answers) > 0:
					return nil, stats, fmt.Errorf("%s: %s: question %s is_impossible but has %d answers", name, qpath, qa.ID, len(qa.Answers))
				}
				if prev, dup := seen[qa.ID]; dup {
					return nil, stats, fmt.Errorf("%s: %s: question id %s already used at %s", name, qpath, qa.ID, prev)
				}
				seen[qa.ID] = qpath
				ex := QAExample{
					ID:           qa.ID,
					Title:        art.Title,
					Question:     qa.Question,
					Context:      par.Context,
					IsImpossible: qa.IsImpossible || len(qa.Answers) == 0,
				}
				for _, list := range []struct {
					field string
					in    []squadAnswer
					out   *[]Answer
				}{{"answers", qa.Answers, &ex.Answers}, {"plausible_answers", qa.PlausibleAnswers, &ex.PlausibleAnswers}} {
					for k, a := range list.in {
						apath := fmt.Sprintf("%s.%s[%d]", qpath, list.field, k)
						if a.AnswerStart == nil {
							return nil, stats, fmt.Errorf("%s: %s: answer without answer_start", name, apath)
						}
						ans, found := locate(par.Context, runes, a.Text, *a.AnswerStart)
						if !ans.Aligned {
							stats.Mismatches = append(stats.Mismatches, AnswerMismatch{QuestionID: qa.ID, Path: apath, Text: a.Text, Found: found})
						}
						*list.out = append(*list.out, ans)
					}
				}
				stats.Questions++
				stats.Answers += len(ex.Answers)
				if ex.IsImpossible {
					stats.Unanswerable++
				}
				out = append(out, ex)
			}
		}
	}
	return out, stats, nil
}

// runeOffsets returns the byte offset of every code point of s, plus len(s):
// offsets[i] is where Python's s[i:] would start.
func runeOffsets(s string) []int {
	offs := make([]int, 0, len(s)+1)
	for i := range s {
		offs = append(offs, i)
	}
	return append(offs, len(s))
}

// locate converts a code-point answer_start to a byte offset and checks that
// the answer text is there; found is the context text at that place.
func locate(context string, runes []int, text string, charStart int) (Answer, string) {
	a := Answer{Text: text, CharStart: charStart, Start: -1}
	if charStart < 0 || charStart >= len(runes) {
		return a, ""
	}
	a.Start = runes[charStart]
	n := utf8.RuneCountInString(text)
	end := runes[min(charStart+n, len(runes)-1)]
	found := context[a.Start:end]
	a.Aligned = found == text
	return a, found
}

// jsonErrorAt adds the line and column to encoding/json's errors, which only
// give a byte offset.
func jsonErrorAt(raw []byte, err error) error {
	var off int64
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return err
	}
	line, col := 1, 1
	for _, b := range raw[:min(int(off), len(raw))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
