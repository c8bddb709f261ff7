package synth

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/gorbert/gorbert/data/corpus"
)

// Paragraph is one QA context with its questions.
type Paragraph struct {
	Title     string // the package's import path
	Context   string
	Questions []Question
}

// Question is one question with its answer span.
type Question struct {
	ID       string
	Question string
	Answer   string
	// AnswerStart is the answer's offset in the context in Unicode code
	// points, as SQuAD's answer_start.
	AnswerStart int
}

// answerClause finds the answer in the first sentence of a function's
// comment: for "X returns C" the clause C, for "X reports whether C"
// "whether C", where the clause ends at the first ", ", "; " or ": " or at
// the end of the sentence (its final period dropped). ok is false for
// other comments and for clauses not of 1 to 20 words. start is the
// clause's byte offset in sentence.
func answerClause(name, sentence string) (question, answer string, start int, ok bool) {
	var rest string
	switch {
	case strings.HasPrefix(sentence, name+" returns "):
		start = len(name + " returns ")
		question = "What does " + name + " return?"
	case strings.HasPrefix(sentence, name+" reports whether "):
		start = len(name + " reports ")
		question = "What does " + name + " report?"
	default:
		return "", "", 0, false
	}
	rest = sentence[start:]
	end := len(rest)
	for _, stop := range []string{", ", "; ", ": "} {
		if i := strings.Index(rest, stop); i >= 0 && i < end {
			end = i
		}
	}
	answer = strings.TrimRight(rest[:end], ". ")
	if n := len(strings.Fields(answer)); n < 1 || n > 20 {
		return "", "", 0, false
	}
	return question, answer, start, true
}

// QA makes a question-answering set from the functions and methods whose
// comment begins "X returns ..." or "X reports whether ...": each context
// is the first two sentences of the first paragraph of two such comments of
// one package (of different names, so that the question's X says which),
// and each function gives one question (see answerClause). Contexts are
// sampled with seed until maxTrain training and maxDev dev questions.
func QA(train, dev []Package, maxTrain, maxDev int, seed int64) (trainEx, devEx []Paragraph, err error) {
	if maxTrain <= 0 || maxDev <= 0 {
		return nil, nil, fmt.Errorf("synth: qa needs positive sizes, not %d and %d", maxTrain, maxDev)
	}
	collect := func(pkgs []Package, n int, split string) ([]Paragraph, int) {
		var out []Paragraph
		ids := map[string]bool{}
		for _, p := range pkgs {
			var cur Paragraph
			var names []string
			flush := func() {
				if len(cur.Questions) > 0 {
					out = append(out, cur)
				}
				cur, names = Paragraph{Title: p.Path}, nil
			}
			flush()
			for _, f := range p.Funcs {
				sents := corpus.SplitSentences(f.Doc)
				if len(sents) == 0 {
					continue
				}
				q, a, start, ok := answerClause(f.Name, sents[0])
				if !ok {
					continue
				}
				if len(names) == 2 || (len(names) == 1 && names[0] == f.Name) {
					flush()
				}
				text := strings.Join(sents[:min(2, len(sents))], " ")
				if cur.Context != "" {
					cur.Context += " "
				}
				off := len(cur.Context) + start
				cur.Context += text
				id := p.Path + "." + f.Name
				if f.Recv != "" {
					id = p.Path + "." + strings.TrimPrefix(f.Recv, "*") + "." + f.Name
				}
				for k := 2; ids[id]; k++ {
					id = fmt.Sprintf("%s.%s#%d", p.Path, f.Name, k)
				}
				ids[id] = true
				cur.Questions = append(cur.Questions, Question{ID: id, Question: q, Answer: a,
					AnswerStart: utf8.RuneCountInString(cur.Context[:off])})
				names = append(names, f.Name)
			}
			flush()
		}
		rng := newRand(seed, "qa/"+split)
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		questions := 0
		for i, par := range out {
			if questions >= n {
				return out[:i], questions
			}
			questions += len(par.Questions)
		}
		return out, questions
	}
	trainEx, nt := collect(train, maxTrain, "train")
	devEx, nd := collect(dev, maxDev, "dev")
	if nt == 0 || nd == 0 {
		return nil, nil, fmt.Errorf("synth: qa found %d training and %d dev questions", nt, nd)
	}
	return trainEx, devEx, nil
}

// WriteSQuAD writes the paragraphs as SQuAD v1.1 JSON, one article per
// paragraph titled by its package.
func WriteSQuAD(w io.Writer, pars []Paragraph) error {
	type answer struct {
		Text        string `json:"text"`
		AnswerStart int    `json:"answer_start"`
	}
	type qa struct {
		ID       string   `json:"id"`
		Question string   `json:"question"`
		Answers  []answer `json:"answers"`
	}
	type paragraph struct {
		Context string `json:"context"`
		QAs     []qa   `json:"qas"`
	}
	type article struct {
		Title      string      `json:"title"`
		Paragraphs []paragraph `json:"paragraphs"`
	}
	file := struct {
		Version string    `json:"version"`
		Data    []article `json:"data"`
	}{Version: "1.1", Data: []article{}}
	for _, p := range pars {
		par := paragraph{Context: p.Context}
		for _, q := range p.Questions {
			par.QAs = append(par.QAs, qa{ID: q.ID, Question: q.Question, Answers: []answer{{Text: q.Answer, AnswerStart: q.AnswerStart}}})
		}
		file.Data = append(file.Data, article{Title: p.Title, Paragraphs: []paragraph{par}})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	return enc.Encode(file)
}

// CountQuestions is the number of questions of the paragraphs.
func CountQuestions(pars []Paragraph) int {
	n := 0
	for _, p := range pars {
		n += len(p.Questions)
	}
	return n
}
