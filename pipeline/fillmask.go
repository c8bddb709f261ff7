package pipeline

import (
	"encoding/json"
	"fmt"
	"sort"
)

// FillMaskOptions are fill-mask's arguments.
type FillMaskOptions struct {
	// TopK is how many tokens to return per mask; 0 means HuggingFace's
	// default, 5. With Targets it is capped at the number of distinct targets.
	TopK int
	// Targets restricts the candidates. Each is looked up in the vocabulary
	// as is; one that is not a vocabulary token is tokenized (no special
	// tokens) and its first token used. The scores stay probabilities over
	// the whole vocabulary.
	Targets []string
}

// TokenScore is one candidate for a mask.
type TokenScore struct {
	Score    float64 `json:"score"`
	Token    int     `json:"token"`
	TokenStr string  `json:"token_str"` // decode([token]): a continuation piece keeps its ##
	// Sequence is the input decoded with the mask replaced: without special
	// tokens when the input has one mask, with them ([CLS] ... [SEP], the
	// other masks as [MASK]) when it has several.
	Sequence string `json:"sequence"`
}

// FillMaskResult is one input's candidates, one list per [MASK] in text
// order. It marshals as HuggingFace returns it: the list itself for one
// mask, a list of lists for several.
type FillMaskResult struct {
	Masks [][]TokenScore
}

// MarshalJSON writes HuggingFace's shape.
func (r FillMaskResult) MarshalJSON() ([]byte, error) {
	if len(r.Masks) == 1 {
		return json.Marshal(r.Masks[0])
	}
	return json.Marshal(r.Masks)
}

// FillMask predicts the [MASK] tokens of each text.
func (p *Pipeline) FillMask(texts []string, opts FillMaskOptions) ([]FillMaskResult, error) {
	k := opts.TopK
	if k == 0 {
		k = 5
	}
	if k < 0 {
		return nil, fmt.Errorf("fill-mask: top_k must be positive, got %d", k)
	}
	var targets []int
	if opts.Targets != nil {
		var err error
		if targets, err = p.targetIDs(opts.Targets); err != nil {
			return nil, err
		}
		k = min(k, len(targets))
	}

	rows := make([]seq, len(texts))
	masks := make([][]int, len(texts))
	for i, text := range texts {
		enc, err := p.Tokenizer.Encode(text)
		if err != nil {
			return nil, &InputError{i, err}
		}
		for j, id := range enc.IDs {
			if id == p.Tokenizer.MaskID() {
				masks[i] = append(masks[i], j)
			}
		}
		if len(masks[i]) == 0 {
			return nil, &InputError{i, fmt.Errorf("no mask token (%s) in %q", p.Tokenizer.Config().MaskToken, text)}
		}
		rows[i] = seq{ids: enc.IDs, types: enc.TypeIDs}
	}
	out, err := p.forward(rows, p.Config.VocabSize, "prediction_logits")
	if err != nil {
		return nil, fmt.Errorf("fill-mask: %w", err)
	}

	V := p.Config.VocabSize
	results := make([]FillMaskResult, len(texts))
	for i, row := range rows {
		single := len(masks[i]) == 1
		for _, pos := range masks[i] {
			probs := softmax(out[0][i][pos*V : (pos+1)*V])
			var best []int
			if targets == nil {
				best = topK(probs, k)
			} else {
				sub := make([]float32, len(targets))
				for j, id := range targets {
					sub[j] = probs[id]
				}
				for _, j := range topK(sub, k) {
					best = append(best, targets[j])
				}
			}
			cands := make([]TokenScore, 0, len(best))
			for _, id := range best {
				c, err := p.candidate(row.ids, pos, id, single)
				if err != nil {
					return nil, err
				}
				c.Score = float64(probs[id])
				cands = append(cands, c)
			}
			results[i].Masks = append(results[i].Masks, cands)
		}
	}
	return results, nil
}

// candidate decodes the token and the sequence with the mask at pos replaced
// by id (padding dropped, special tokens skipped when the input has a
// single mask).
func (p *Pipeline) candidate(ids []int, pos, id int, single bool) (TokenScore, error) {
	filled := make([]int, 0, len(ids))
	for j, t := range ids {
		if j == pos {
			t = id
		}
		if t != p.Tokenizer.PadID() {
			filled = append(filled, t)
		}
	}
	seqText, err := p.Tokenizer.Decode(filled, single)
	if err != nil {
		return TokenScore{}, err
	}
	tokStr, err := p.Tokenizer.Decode([]int{id}, false)
	if err != nil {
		return TokenScore{}, err
	}
	return TokenScore{Token: id, TokenStr: tokStr, Sequence: seqText}, nil
}

// targetIDs maps targets to vocabulary ids as HuggingFace's get_target_ids:
// the target itself when it is a token, else the first token it tokenizes
// to (skipped when it tokenizes to nothing); duplicates collapse.
func (p *Pipeline) targetIDs(targets []string) ([]int, error) {
	seen := map[int]bool{}
	var ids []int
	for _, t := range targets {
		id, ok := p.Tokenizer.ID(t)
		if !ok {
			enc, err := p.Tokenizer.Encode(t)
			if err != nil {
				return nil, fmt.Errorf("fill-mask: target %q: %w", t, err)
			}
			var first = -1
			for j, tid := range enc.IDs {
				if enc.SpecialTokensMask[j] == 0 {
					first = tid
					break
				}
			}
			if first < 0 {
				continue
			}
			id = first
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("fill-mask: at least one target must be provided when targets are passed")
	}
	sort.Ints(ids)
	return ids, nil
}
