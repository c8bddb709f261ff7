package pipeline

import "fmt"

// Pooling modes of Embed.
const (
	PoolAll  = "all"  // every token's last hidden state (HuggingFace feature-extraction)
	PoolCLS  = "cls"  // the [CLS] token's last hidden state
	PoolMean = "mean" // the mean over the real tokens (padding excluded)
)

// Features returns HuggingFace feature-extraction's output for each text:
// the last hidden state, one H-vector per token including [CLS] and [SEP].
func (p *Pipeline) Features(texts []string) ([][][]float32, error) {
	hidden, err := p.hidden(texts)
	if err != nil {
		return nil, err
	}
	H := p.Config.HiddenSize
	out := make([][][]float32, len(texts))
	for i, h := range hidden {
		for j := 0; j+H <= len(h); j += H {
			out[i] = append(out[i], h[j:j+H:j+H])
		}
	}
	return out, nil
}

// Embed returns one vector per text: the [CLS] hidden state (PoolCLS) or the
// mean of the token hidden states (PoolMean). Use Features for PoolAll.
func (p *Pipeline) Embed(texts []string, pooling string) ([][]float32, error) {
	if pooling != PoolCLS && pooling != PoolMean {
		return nil, fmt.Errorf("embed: pooling %q gives one vector per text: want %s or %s (%s: use Features)", pooling, PoolCLS, PoolMean, PoolAll)
	}
	hidden, err := p.hidden(texts)
	if err != nil {
		return nil, err
	}
	H := p.Config.HiddenSize
	out := make([][]float32, len(texts))
	for i, h := range hidden {
		if pooling == PoolCLS {
			out[i] = h[:H:H]
			continue
		}
		n := len(h) / H
		sum := make([]float64, H)
		for j := 0; j < n; j++ {
			for k, v := range h[j*H : (j+1)*H] {
				sum[k] += float64(v)
			}
		}
		out[i] = make([]float32, H)
		for k := range sum {
			out[i][k] = float32(sum[k] / float64(n))
		}
	}
	return out, nil
}

// hidden runs the texts and returns each one's last hidden state [len·H],
// padding removed.
func (p *Pipeline) hidden(texts []string) ([][]float32, error) {
	rows := make([]seq, len(texts))
	for i, text := range texts {
		enc, err := p.Tokenizer.Encode(text)
		if err != nil {
			return nil, &InputError{i, err}
		}
		rows[i] = seq{ids: enc.IDs, types: enc.TypeIDs}
	}
	out, err := p.forward(rows, p.Config.HiddenSize, "last_hidden_state")
	if err != nil {
		return nil, fmt.Errorf("feature-extraction: %w", err)
	}
	return out[0], nil
}
