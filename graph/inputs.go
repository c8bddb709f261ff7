package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// InputsFile is the JSON layout of a batch of model inputs, as the
// conformance fixtures' inputs.json uses it: one row of token ids per
// sequence. token_type_ids and attention_mask are optional; when present they
// must have one row per input_ids row, of that row's length. Other fields
// (labels, special_tokens, ...) are ignored.
type InputsFile struct {
	InputIDs      [][]int `json:"input_ids"`
	TokenTypeIDs  [][]int `json:"token_type_ids"`
	AttentionMask [][]int `json:"attention_mask"`
}

// ReadInputs reads an inputs.json file (see InputsFile) into a Batch. Rows of
// different lengths are padded to the longest with padID, token type 0 and
// attention mask 0; a missing attention_mask is 1 on every real token.
// Errors name the file.
func ReadInputs(path string, padID int) (Batch, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Batch{}, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Batch{}, fmt.Errorf("%s: empty file", path)
	}
	var in InputsFile
	if err := json.Unmarshal(data, &in); err != nil {
		return Batch{}, fmt.Errorf("%s: malformed inputs JSON: %w", path, err)
	}
	b, err := in.Batch(padID)
	if err != nil {
		return Batch{}, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Batch checks the rows and pads them into a Batch (see ReadInputs).
func (in InputsFile) Batch(padID int) (Batch, error) {
	if len(in.InputIDs) == 0 {
		return Batch{}, fmt.Errorf("empty batch: input_ids has no rows")
	}
	s := 0
	for i, r := range in.InputIDs {
		if len(r) == 0 {
			return Batch{}, fmt.Errorf("input_ids row %d is empty", i)
		}
		s = max(s, len(r))
	}
	for _, f := range []struct {
		name string
		rows [][]int
	}{{"token_type_ids", in.TokenTypeIDs}, {"attention_mask", in.AttentionMask}} {
		if f.rows == nil {
			continue
		}
		if len(f.rows) != len(in.InputIDs) {
			return Batch{}, fmt.Errorf("%s has %d rows, input_ids has %d", f.name, len(f.rows), len(in.InputIDs))
		}
		for i, r := range f.rows {
			if len(r) != len(in.InputIDs[i]) {
				return Batch{}, fmt.Errorf("%s row %d has %d values, input_ids row %d has %d", f.name, i, len(r), i, len(in.InputIDs[i]))
			}
		}
	}
	n := len(in.InputIDs)
	b := Batch{Size: n, SeqLen: s,
		InputIDs: make([]int, n*s), TokenTypeIDs: make([]int, n*s), AttentionMask: make([]int, n*s)}
	for i, r := range in.InputIDs {
		for j := 0; j < s; j++ {
			k := i*s + j
			if j >= len(r) {
				b.InputIDs[k] = padID
				continue
			}
			b.InputIDs[k], b.AttentionMask[k] = r[j], 1
			if in.TokenTypeIDs != nil {
				b.TokenTypeIDs[k] = in.TokenTypeIDs[i][j]
			}
			if in.AttentionMask != nil {
				b.AttentionMask[k] = in.AttentionMask[i][j]
			}
		}
	}
	return b, nil
}
