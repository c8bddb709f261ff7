package metrics

import (
	"fmt"
	"math"
)

// IgnoreIndex is the label of positions that do not count in a loss or a
// metric: unmasked tokens in masked-LM labels, special tokens and non-first
// word pieces in token classification (PyTorch's and HuggingFace's -100).
const IgnoreIndex = -100

// MaskedLMAccuracy is the fraction of counted positions (label ≠ IgnoreIndex)
// where the predicted token id equals the label, and how many positions were
// counted. It is an error if no position counts.
func MaskedLMAccuracy(predicted, labels []int) (float64, int, error) {
	if err := checkPair(len(labels), len(predicted)); err != nil {
		return 0, 0, err
	}
	var n, correct int
	for i, l := range labels {
		if l == IgnoreIndex {
			continue
		}
		n++
		if predicted[i] == l {
			correct++
		}
	}
	if n == 0 {
		return 0, 0, fmt.Errorf("metrics: no masked positions (all labels are %d)", IgnoreIndex)
	}
	return float64(correct) / float64(n), n, nil
}

// Perplexity is exp of the mean of losses, the natural-log cross-entropies of
// individual tokens (or of batches of equal token count). For batches of
// different sizes use PerplexityFromTotal, since a mean of batch means would
// over-weight the small batches.
func Perplexity(losses []float64) (float64, error) {
	if len(losses) == 0 {
		return 0, ErrEmpty
	}
	return math.Exp(mean(losses)), nil
}

// PerplexityFromTotal is exp(totalLoss / tokens): the perplexity of a corpus
// from its summed token cross-entropy and its token count.
func PerplexityFromTotal(totalLoss float64, tokens int) (float64, error) {
	if tokens <= 0 {
		return 0, fmt.Errorf("metrics: perplexity over %d tokens", tokens)
	}
	return math.Exp(totalLoss / float64(tokens)), nil
}
