package train

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/gorbert/gorbert/graph"
)

// labelsFile holds the label fields of an inputs.json (the conformance
// fixtures' layout): labels [B][S] (MLM, NER; -100 = none) or [B]
// (classification; numbers may be floats for regression),
// next_sentence_label [B], start_positions / end_positions [B].
type labelsFile struct {
	Labels            json.RawMessage `json:"labels"`
	NextSentenceLabel []int           `json:"next_sentence_label"`
	StartPositions    []int           `json:"start_positions"`
	EndPositions      []int           `json:"end_positions"`
}

// ReadBatch reads an inputs.json with its labels into a Batch. Rows are
// padded to the longest with padID; per-position labels of padding are -100.
func ReadBatch(path string, padID int) (graph.Batch, error) {
	b, err := graph.ReadInputs(path, padID)
	if err != nil {
		return b, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return b, err
	}
	var lf labelsFile
	if err := json.Unmarshal(data, &lf); err != nil {
		return b, fmt.Errorf("%s: %w", path, err)
	}
	b.NextSentenceLabels, b.StartPositions, b.EndPositions = lf.NextSentenceLabel, lf.StartPositions, lf.EndPositions
	if len(lf.Labels) == 0 || string(lf.Labels) == "null" {
		return b, nil
	}
	var rows [][]int
	if json.Unmarshal(lf.Labels, &rows) == nil {
		if len(rows) != b.Size {
			return b, fmt.Errorf("%s: labels has %d rows, input_ids has %d", path, len(rows), b.Size)
		}
		b.Labels = make([]int, b.Size*b.SeqLen)
		for i := range b.Labels {
			b.Labels[i] = -100
		}
		for i, r := range rows {
			if len(r) > b.SeqLen {
				return b, fmt.Errorf("%s: labels row %d has %d values for %d tokens", path, i, len(r), b.SeqLen)
			}
			copy(b.Labels[i*b.SeqLen:], r)
		}
		return b, nil
	}
	var flat []float64
	if err := json.Unmarshal(lf.Labels, &flat); err != nil {
		return b, fmt.Errorf("%s: labels must be [B][S] or [B] numbers: %w", path, err)
	}
	if len(flat) != b.Size {
		return b, fmt.Errorf("%s: labels has %d values, input_ids has %d rows", path, len(flat), b.Size)
	}
	for _, v := range flat {
		b.Labels = append(b.Labels, int(v))
		b.Targets = append(b.Targets, float32(v))
	}
	return b, nil
}
