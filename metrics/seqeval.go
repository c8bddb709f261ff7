package metrics

import (
	"fmt"
	"slices"
	"strings"
)

// Entity is one labelled span found in a tag sequence. Start and End are
// inclusive token positions in the concatenation of all sentences, where each
// sentence is followed by one extra "O" position: the same coordinates seqeval
// uses, so that an entity can never run from one sentence into the next.
type Entity struct {
	Type  string
	Start int
	End   int
}

// Entities extracts the entities of sentences of tags exactly as seqeval's
// get_entities does in its default (non-strict) mode, which follows the
// conlleval Perl script:
//
//   - a tag is split into a prefix (its first character: B, I, E, S or O) and
//     a type (what follows the first "-", or "_" if there is none);
//   - an entity starts at B- or S-, and also at an I- or E- that follows O,
//     E- or S-, or whose type differs from the tag before it; so a stray
//     "I-PER" after "O" opens a PER entity instead of being dropped;
//   - an entity ends before B-, S- or O, after E- or S-, and wherever the type
//     changes, so "B-PER I-LOC" is two one-token entities.
//
// Tags that have no recognised prefix are read the same lenient way seqeval
// reads them (it only warns): their first character is taken as the prefix.
func Entities(sentences [][]string) []Entity {
	var entities []Entity
	prevTag, prevType := byte('O'), ""
	begin := 0
	pos := 0
	visit := func(chunk string) {
		tag, typ := splitTag(chunk)
		if endOfChunk(prevTag, tag, prevType, typ) {
			entities = append(entities, Entity{Type: prevType, Start: begin, End: pos - 1})
		}
		if startOfChunk(prevTag, tag, prevType, typ) {
			begin = pos
		}
		prevTag, prevType = tag, typ
		pos++
	}
	for _, s := range sentences {
		for _, chunk := range s {
			visit(chunk)
		}
		// seqeval flattens nested lists as sentence + ['O'], and then appends
		// one more 'O' to the whole sequence; the extra 'O's close any entity
		// still open at the end of a sentence.
		visit("O")
	}
	if len(sentences) == 0 {
		return nil
	}
	visit("O")
	return entities
}

// splitTag splits "B-PER" into 'B' and "PER"; a tag without a type ("O", or a
// bare "B") gets the type "_", as in seqeval.
func splitTag(chunk string) (byte, string) {
	if chunk == "" {
		// seqeval would fail on chunk[0]; an empty tag is best read as outside.
		return 'O', "_"
	}
	typ := chunk[1:]
	if i := strings.IndexByte(typ, '-'); i >= 0 {
		typ = typ[i+1:]
	}
	if typ == "" {
		typ = "_"
	}
	return chunk[0], typ
}

func endOfChunk(prevTag, tag byte, prevType, typ string) bool {
	switch {
	case prevTag == 'E' || prevTag == 'S':
		return true
	case (prevTag == 'B' || prevTag == 'I') && (tag == 'B' || tag == 'S' || tag == 'O'):
		return true
	case prevTag != 'O' && prevTag != '.' && prevType != typ:
		return true
	}
	return false
}

func startOfChunk(prevTag, tag byte, prevType, typ string) bool {
	switch {
	case tag == 'B' || tag == 'S':
		return true
	case (prevTag == 'E' || prevTag == 'S' || prevTag == 'O') && (tag == 'E' || tag == 'I'):
		return true
	case tag != 'O' && tag != '.' && prevType != typ:
		return true
	}
	return false
}

// EntityScore is precision, recall and F1 for one entity type or an average.
type EntityScore struct {
	Precision float64
	Recall    float64
	F1        float64
	Support   int // gold entities
	Predicted int // predicted entities
	Correct   int // predicted entities whose type, start and end all match a gold one
}

// EntityReport is seqeval's classification_report in numbers: a score per
// entity type (every type seen in the gold or predicted tags) and the three
// averages. Micro is what seqeval's f1_score, precision_score and recall_score
// return by default and what papers report for CoNLL-2003.
type EntityReport struct {
	Types    []string               // sorted
	PerType  map[string]EntityScore // keyed by type, e.g. "PER"
	Micro    EntityScore
	Macro    EntityScore // unweighted mean over types
	Weighted EntityScore // mean over types weighted by gold support
}

// SeqEval compares gold and predicted tag sequences entity by entity: a
// predicted entity counts only if its type and both boundaries equal those of
// a gold entity. Sentence count and every sentence length must match.
func SeqEval(yTrue, yPred [][]string) (EntityReport, error) {
	if err := checkSequences(yTrue, yPred); err != nil {
		return EntityReport{}, err
	}
	gold := map[string]map[Entity]bool{}
	pred := map[string]map[Entity]bool{}
	for _, e := range Entities(yTrue) {
		addEntity(gold, e)
	}
	for _, e := range Entities(yPred) {
		addEntity(pred, e)
	}
	rep := EntityReport{PerType: map[string]EntityScore{}}
	for t := range gold {
		rep.Types = append(rep.Types, t)
	}
	for t := range pred {
		if gold[t] == nil {
			rep.Types = append(rep.Types, t)
		}
	}
	slices.Sort(rep.Types)

	var correct, predicted, support int
	var totalP, totalR, totalF, wP, wR, wF float64
	for _, t := range rep.Types {
		s := EntityScore{Support: len(gold[t]), Predicted: len(pred[t])}
		for e := range pred[t] {
			if gold[t][e] {
				s.Correct++
			}
		}
		s.Precision = ratio(s.Correct, s.Predicted)
		s.Recall = ratio(s.Correct, s.Support)
		s.F1 = f1(s.Precision, s.Recall)
		rep.PerType[t] = s

		correct += s.Correct
		predicted += s.Predicted
		support += s.Support
		totalP += s.Precision
		totalR += s.Recall
		totalF += s.F1
		w := float64(s.Support)
		wP += w * s.Precision
		wR += w * s.Recall
		wF += w * s.F1
	}
	rep.Micro = EntityScore{Support: support, Predicted: predicted, Correct: correct}
	rep.Micro.Precision = ratio(correct, predicted)
	rep.Micro.Recall = ratio(correct, support)
	rep.Micro.F1 = f1(rep.Micro.Precision, rep.Micro.Recall)
	rep.Macro = EntityScore{Support: support, Predicted: predicted, Correct: correct}
	rep.Weighted = rep.Macro
	if n := float64(len(rep.Types)); n > 0 {
		rep.Macro.Precision, rep.Macro.Recall, rep.Macro.F1 = totalP/n, totalR/n, totalF/n
	}
	if support > 0 {
		s := float64(support)
		rep.Weighted.Precision, rep.Weighted.Recall, rep.Weighted.F1 = wP/s, wR/s, wF/s
	}
	return rep, nil
}

func addEntity(m map[string]map[Entity]bool, e Entity) {
	if m[e.Type] == nil {
		m[e.Type] = map[Entity]bool{}
	}
	m[e.Type][e] = true
}

// TokenAccuracy is seqeval's accuracy_score: the fraction of tags, over all
// sentences, that equal the gold tag (O included).
func TokenAccuracy(yTrue, yPred [][]string) (float64, error) {
	if err := checkSequences(yTrue, yPred); err != nil {
		return 0, err
	}
	var n, correct int
	for i := range yTrue {
		for j := range yTrue[i] {
			n++
			if yTrue[i][j] == yPred[i][j] {
				correct++
			}
		}
	}
	if n == 0 {
		return 0, ErrEmpty
	}
	return float64(correct) / float64(n), nil
}

func checkSequences(yTrue, yPred [][]string) error {
	if len(yTrue) != len(yPred) {
		return fmt.Errorf("metrics: %d gold sentences but %d predicted", len(yTrue), len(yPred))
	}
	for i := range yTrue {
		if len(yTrue[i]) != len(yPred[i]) {
			return fmt.Errorf("metrics: sentence %d has %d gold tags but %d predicted", i, len(yTrue[i]), len(yPred[i]))
		}
	}
	return nil
}
