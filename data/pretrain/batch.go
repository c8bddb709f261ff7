package pretrain

import "fmt"

// Batch is a fixed-shape pretraining batch, laid out like the features of
// google-research/bert's run_pretraining.py. All matrices are row-major:
// element (b, s) of a [B*S] slice is at b*S+s.
type Batch struct {
	Size           int // B
	SeqLength      int // S, max_seq_length
	MaxPredictions int // P, max_predictions_per_seq

	InputIDs      []int // [B*S], padded with [PAD]
	TokenTypeIDs  []int // [B*S], segment ids, 0 on padding
	AttentionMask []int // [B*S], 1 on real tokens, 0 on padding

	MaskedPositions []int     // [B*P] masked_lm_positions, 0 on padding
	MaskedIDs       []int     // [B*P] masked_lm_ids (original ids), 0 on padding
	MaskedWeights   []float32 // [B*P] masked_lm_weights: 1 real, 0 padding

	NextSentenceLabels []int // [B] NSP/SOP label, IgnoreLabel without a sentence objective
}

// NewBatch lays out masked instances (static, or served by a Reader) as a
// batch of len(instances) rows. An instance longer than seqLength, or with
// more than maxPredictions masked positions, is an error naming its row.
func NewBatch(instances []Instance, seqLength, maxPredictions, padID int) (*Batch, error) {
	n := len(instances)
	b := &Batch{
		Size: n, SeqLength: seqLength, MaxPredictions: maxPredictions,
		InputIDs: make([]int, n*seqLength), TokenTypeIDs: make([]int, n*seqLength), AttentionMask: make([]int, n*seqLength),
		MaskedPositions: make([]int, n*maxPredictions), MaskedIDs: make([]int, n*maxPredictions),
		MaskedWeights: make([]float32, n*maxPredictions), NextSentenceLabels: make([]int, n),
	}
	for r, in := range instances {
		if len(in.Tokens) > seqLength {
			return nil, fmt.Errorf("pretrain: batch row %d has %d tokens, more than max_seq_length %d", r, len(in.Tokens), seqLength)
		}
		if len(in.MaskedPositions) > maxPredictions || len(in.MaskedLabels) != len(in.MaskedPositions) {
			return nil, fmt.Errorf("pretrain: batch row %d has %d masked positions and %d labels (max_predictions_per_seq %d)",
				r, len(in.MaskedPositions), len(in.MaskedLabels), maxPredictions)
		}
		row := b.InputIDs[r*seqLength : (r+1)*seqLength]
		for s := range row {
			if s < len(in.Tokens) {
				row[s] = in.Tokens[s]
				b.AttentionMask[r*seqLength+s] = 1
				if s >= in.SegmentA {
					b.TokenTypeIDs[r*seqLength+s] = 1
				}
			} else {
				row[s] = padID
			}
		}
		for k, p := range in.MaskedPositions {
			if p < 0 || p >= len(in.Tokens) {
				return nil, fmt.Errorf("pretrain: batch row %d masks position %d outside its %d tokens", r, p, len(in.Tokens))
			}
			b.MaskedPositions[r*maxPredictions+k] = p
			b.MaskedIDs[r*maxPredictions+k] = in.MaskedLabels[k]
			b.MaskedWeights[r*maxPredictions+k] = 1
		}
		b.NextSentenceLabels[r] = in.Label
	}
	return b, nil
}

// MLMLabels converts the masked-LM fields to HuggingFace's `labels`
// layout: [B*S], the original id at each predicted position and
// IgnoreLabel (-100) everywhere else.
func (b *Batch) MLMLabels() []int {
	labels := make([]int, b.Size*b.SeqLength)
	for i := range labels {
		labels[i] = IgnoreLabel
	}
	for r := 0; r < b.Size; r++ {
		for k := 0; k < b.MaxPredictions; k++ {
			j := r*b.MaxPredictions + k
			if b.MaskedWeights[j] != 0 {
				labels[r*b.SeqLength+b.MaskedPositions[j]] = b.MaskedIDs[j]
			}
		}
	}
	return labels
}
