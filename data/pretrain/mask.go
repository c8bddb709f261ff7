package pretrain

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
)

// Masker chooses and replaces the tokens masked LM predicts, following
// create_masked_lm_predictions. One Masker is safe for concurrent use
// as long as each goroutine has its own rng.
type Masker struct {
	prob      float64
	maxPred   int
	wholeWord bool
	sp        Specials
	size      int
	special   []bool // never a candidate
	cont      []bool // "##" continuation piece
}

// NewMasker prepares masking for v with opts' MaskedLMProb,
// MaxPredictionsPerSeq and WholeWordMask.
func NewMasker(v Vocab, opts Options) (*Masker, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	sp, err := SpecialsOf(v)
	if err != nil {
		return nil, err
	}
	m := &Masker{prob: opts.MaskedLMProb, maxPred: opts.MaxPredictionsPerSeq, wholeWord: opts.WholeWordMask,
		sp: sp, size: v.Size(), special: make([]bool, v.Size()), cont: make([]bool, v.Size())}
	for _, id := range []int{sp.CLS, sp.SEP, sp.Mask, sp.Pad} {
		m.special[id] = true
	}
	for id := range m.cont {
		m.cont[id] = strings.HasPrefix(v.Token(id), "##")
	}
	return m, nil
}

// NumToPredict is min(max_predictions_per_seq, max(1, round(n *
// masked_lm_prob))) for a sequence of n tokens (special tokens included, as
// in the script). Python 3's round() rounds halves to even; so does this.
func (m *Masker) NumToPredict(n int) int {
	k := int(math.RoundToEven(float64(n) * m.prob))
	return min(m.maxPred, max(1, k))
}

// Mask returns a masked copy of tokens with the predicted positions
// (ascending) and their original ids. Candidates are all tokens except
// [CLS], [SEP], [PAD] and [MASK]; with whole-word masking a "##" piece
// joins the group of the token right before it, and groups are taken whole
// or not at all. Each chosen position becomes [MASK] with probability 0.8,
// stays unchanged with 0.1, and becomes a uniformly random vocabulary id
// with 0.1 (drawn over the whole vocabulary, as the script does).
// Ids outside the vocabulary are never candidates.
func (m *Masker) Mask(tokens []int, rng *rand.Rand) (masked, positions, labels []int) {
	var cands [][]int
	for i, t := range tokens {
		if t < 0 || t >= m.size || m.special[t] {
			continue
		}
		// Google appends to the last group even across a skipped [SEP];
		// requiring adjacency keeps a word's group inside one segment.
		if m.wholeWord && m.cont[t] && len(cands) > 0 {
			last := cands[len(cands)-1]
			if last[len(last)-1] == i-1 {
				cands[len(cands)-1] = append(last, i)
				continue
			}
		}
		cands = append(cands, []int{i})
	}
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })

	masked = append([]int(nil), tokens...)
	numToPredict := m.NumToPredict(len(tokens))
	for _, group := range cands {
		if len(positions) >= numToPredict {
			break
		}
		// "If adding a whole-word mask would exceed the maximum number of
		// predictions, then just skip this candidate."
		if len(positions)+len(group) > numToPredict {
			continue
		}
		// Groups are disjoint here, so Google's covered_indexes check
		// never fires and is left out.
		for _, i := range group {
			var repl int
			if rng.Float64() < 0.8 { // 80% of the time, replace with [MASK]
				repl = m.sp.Mask
			} else if rng.Float64() < 0.5 { // 10% of the time, keep original
				repl = tokens[i]
			} else { // 10% of the time, replace with random word
				repl = rng.IntN(m.size)
			}
			masked[i] = repl
			positions = append(positions, i)
		}
	}
	sort.Ints(positions)
	labels = make([]int, len(positions))
	for k, i := range positions {
		labels[k] = tokens[i]
	}
	return masked, positions, labels
}

// Apply masks an unmasked instance; the result shares nothing with in.
func (m *Masker) Apply(in Instance, rng *rand.Rand) Instance {
	out := in
	out.Tokens, out.MaskedPositions, out.MaskedLabels = m.Mask(in.Tokens, rng)
	return out
}
