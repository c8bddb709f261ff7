package metrics

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// NormalizeAnswer is the answer normalisation of the official SQuAD v1.1 and
// v2.0 evaluation scripts, applied in their order: lower-case, delete ASCII
// punctuation (Python's string.punctuation), replace the words "a", "an" and
// "the" by a space, and collapse runs of white space to single spaces.
//
// The scripts find articles with the regular expression \b(a|an|the)\b on a
// Python 3 str, whose word boundaries are Unicode-aware; Go's regexp \b is
// ASCII-only and would wrongly strip the "a" of "éa", so the words are found
// here by hand with Python's notion of a word character (letter, number or _).
func NormalizeAnswer(s string) string {
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		if r < 128 && strings.ContainsRune(asciiPunctuation, r) {
			return -1
		}
		return r
	}, s)
	s = removeArticles(s)
	return strings.Join(strings.Fields(s), " ")
}

const asciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_'
}

// removeArticles replaces each maximal run of word characters that is exactly
// "a", "an" or "the" by a single space, leaving everything else unchanged.
func removeArticles(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && isWordRune(rs[j]) {
			j++
		}
		switch w := string(rs[i:j]); w {
		case "a", "an", "the":
			b.WriteByte(' ')
		default:
			b.WriteString(w)
		}
		i = j
	}
	return b.String()
}

// SQuADExact reports whether prediction and gold are equal after
// NormalizeAnswer, as 1 or 0 (the same in v1.1 and v2.0).
func SQuADExact(prediction, gold string) float64 {
	if NormalizeAnswer(prediction) == NormalizeAnswer(gold) {
		return 1
	}
	return 0
}

// SQuADF1 is the token-overlap F1 of the SQuAD v1.1 script: the normalised
// strings are split on spaces and the tokens they share (counted with
// multiplicity) give precision and recall. No shared token gives 0, also when
// both strings normalise to empty.
func SQuADF1(prediction, gold string) float64 {
	return tokenF1(strings.Fields(NormalizeAnswer(prediction)), strings.Fields(NormalizeAnswer(gold)))
}

// SQuADF1V2 is the token F1 of the SQuAD v2.0 script. It differs from
// SQuADF1 only when one side is empty after normalisation (a no-answer): then
// F1 is 1 if both are empty and 0 otherwise.
func SQuADF1V2(prediction, gold string) float64 {
	p := strings.Fields(NormalizeAnswer(prediction))
	g := strings.Fields(NormalizeAnswer(gold))
	if len(p) == 0 || len(g) == 0 {
		if len(p) == len(g) {
			return 1
		}
		return 0
	}
	return tokenF1(p, g)
}

func tokenF1(pred, gold []string) float64 {
	counts := map[string]int{}
	for _, t := range gold {
		counts[t]++
	}
	same := 0
	for _, t := range pred {
		if counts[t] > 0 {
			counts[t]--
			same++
		}
	}
	if same == 0 {
		return 0
	}
	p := float64(same) / float64(len(pred))
	r := float64(same) / float64(len(gold))
	return 2 * p * r / (p + r)
}

// maxOver is the score of prediction against its best-matching gold answer.
func maxOver(score func(pred, gold string) float64, prediction string, golds []string) float64 {
	best := 0.0
	for _, g := range golds {
		best = max(best, score(prediction, g))
	}
	return best
}

// SQuADQuestion is what the evaluation needs of one question: its id and the
// texts of its gold answers. A v2.0 unanswerable question has no answers.
type SQuADQuestion struct {
	ID      string
	Answers []string
}

// SQuADScore is an exact-match and F1 pair, as percentages, over Total
// questions.
type SQuADScore struct {
	Exact float64
	F1    float64
	Total int
}

// SQuADV1Result is the output of the official v1.1 script, plus how many
// questions had no prediction (the script prints a message for each and
// scores it 0).
type SQuADV1Result struct {
	SQuADScore
	Missing []string // ids without a prediction, in question order
}

// SQuADV1 scores predictions (question id → answer text) as the official
// SQuAD v1.1 evaluate-v1.1.py does: each question takes the best exact match
// and the best F1 over its gold answers, and a question without a prediction
// scores 0 but still counts in the total.
func SQuADV1(questions []SQuADQuestion, predictions map[string]string) (SQuADV1Result, error) {
	if len(questions) == 0 {
		return SQuADV1Result{}, ErrEmpty
	}
	var res SQuADV1Result
	var em, f float64
	for _, q := range questions {
		pred, ok := predictions[q.ID]
		if !ok {
			res.Missing = append(res.Missing, q.ID)
			continue
		}
		em += maxOver(SQuADExact, pred, q.Answers)
		f += maxOver(SQuADF1, pred, q.Answers)
	}
	n := float64(len(questions))
	res.SQuADScore = SQuADScore{Exact: 100 * em / n, F1: 100 * f / n, Total: len(questions)}
	return res, nil
}

// SQuADV2Result is the output of the official v2.0 script.
type SQuADV2Result struct {
	SQuADScore            // all questions, after applying NoAnswerThreshold
	HasAns     SQuADScore // questions with at least one gold answer (Total 0 if none)
	NoAns      SQuADScore // unanswerable questions (Total 0 if none)

	// Filled only when no-answer probabilities were given: the scores with the
	// threshold on the no-answer probability that maximises each of them, as
	// the script's find_all_best_thresh computes.
	BestExact, BestExactThresh float64
	BestF1, BestF1Thresh       float64
}

// SQuADV2 scores predictions as the official evaluate-v2.0.py does. An empty
// prediction means "no answer". Gold answers that normalise to empty are
// dropped, and a question left with none can only be answered by "".
//
// naProbs (may be nil) maps ids to the model's probability that the question
// has no answer; a question whose probability exceeds naProbThresh (the
// script's default is 1.0) is treated as predicted unanswerable. With naProbs,
// the best-threshold search is run as well.
//
// Unlike v1.1, every question must have a prediction: the official script
// fails on a missing one when it computes the HasAns/NoAns breakdown, so this
// returns an error naming the first missing id.
func SQuADV2(questions []SQuADQuestion, predictions map[string]string, naProbs map[string]float64, naProbThresh float64) (SQuADV2Result, error) {
	if len(questions) == 0 {
		return SQuADV2Result{}, ErrEmpty
	}
	n := len(questions)
	exactRaw := make([]float64, n)
	f1Raw := make([]float64, n)
	hasAns := make([]bool, n)
	preds := make([]string, n)
	probs := make([]float64, n)
	for i, q := range questions {
		pred, ok := predictions[q.ID]
		if !ok {
			return SQuADV2Result{}, fmt.Errorf("metrics: no prediction for question %q", q.ID)
		}
		preds[i] = pred
		// The script decides HasAns from the raw answer list, but scores against
		// the answers that survive normalisation.
		hasAns[i] = len(q.Answers) > 0
		var golds []string
		for _, a := range q.Answers {
			if NormalizeAnswer(a) != "" {
				golds = append(golds, a)
			}
		}
		if len(golds) == 0 {
			golds = []string{""}
		}
		exactRaw[i] = maxOver(SQuADExact, pred, golds)
		f1Raw[i] = maxOver(SQuADF1V2, pred, golds)
		if naProbs != nil {
			p, ok := naProbs[q.ID]
			if !ok {
				return SQuADV2Result{}, fmt.Errorf("metrics: no no-answer probability for question %q", q.ID)
			}
			probs[i] = p
		}
	}

	// apply_no_ans_threshold: above the threshold the model is taken to say
	// "no answer", which is right exactly when the question has none.
	exact := slices.Clone(exactRaw)
	f1s := slices.Clone(f1Raw)
	for i := range questions {
		if probs[i] > naProbThresh {
			v := 0.0
			if !hasAns[i] {
				v = 1
			}
			exact[i], f1s[i] = v, v
		}
	}
	var res SQuADV2Result
	res.SQuADScore = meanScore(exact, f1s, func(int) bool { return true })
	res.HasAns = meanScore(exact, f1s, func(i int) bool { return hasAns[i] })
	res.NoAns = meanScore(exact, f1s, func(i int) bool { return !hasAns[i] })
	if naProbs != nil {
		res.BestExact, res.BestExactThresh = bestThreshold(preds, exactRaw, probs, hasAns)
		res.BestF1, res.BestF1Thresh = bestThreshold(preds, f1Raw, probs, hasAns)
	}
	return res, nil
}

func meanScore(exact, f1s []float64, keep func(int) bool) SQuADScore {
	var s SQuADScore
	for i := range exact {
		if keep(i) {
			s.Exact += exact[i]
			s.F1 += f1s[i]
			s.Total++
		}
	}
	if s.Total > 0 {
		s.Exact = 100 * s.Exact / float64(s.Total)
		s.F1 = 100 * s.F1 / float64(s.Total)
	}
	return s
}

// bestThreshold is find_best_thresh of the v2.0 script. Start from answering
// nothing (every unanswerable question right, every answerable one wrong), then
// walk the questions in increasing no-answer probability, letting the model
// answer each in turn: an answerable question gains its score, an
// unanswerable one loses 1 if the model gave a non-empty answer. The best
// running total and the probability where it was reached are returned.
func bestThreshold(preds []string, scores, probs []float64, hasAns []bool) (float64, float64) {
	cur := 0.0
	for _, h := range hasAns {
		if !h {
			cur++
		}
	}
	best, thresh := cur, 0.0
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	// Python's sorted is stable; ties keep the question order.
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case probs[a] < probs[b]:
			return -1
		case probs[a] > probs[b]:
			return 1
		}
		return 0
	})
	for _, i := range order {
		switch {
		case hasAns[i]:
			cur += scores[i]
		case preds[i] != "":
			cur--
		}
		if cur > best {
			best, thresh = cur, probs[i]
		}
	}
	return 100 * best / float64(len(scores)), thresh
}
