package pipeline

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Score functions for text classification (function_to_apply).
const (
	FunctionDefault = ""        // softmax for several labels, sigmoid for one, none for regression
	FunctionSoftmax = "softmax" //
	FunctionSigmoid = "sigmoid" //
	FunctionNone    = "none"    // the raw logits
)

// AllLabels as ClassifyOptions.TopK returns every label (HuggingFace's top_k=None).
const AllLabels = -1

// ClassifyInput is a text or a pair of texts (token type 1 on TextPair).
type ClassifyInput struct {
	Text     string `json:"text"`
	TextPair string `json:"text_pair,omitempty"`
	// Dict marks an input HuggingFace would get as a {"text", "text_pair"}
	// dict rather than a plain string: without top_k its best label comes
	// back bare instead of in a one-element list. Unmarshalling sets it
	// when the object has a "text_pair" key.
	Dict bool `json:"-"`
}

// UnmarshalJSON reads {"text": ..., "text_pair": ...} or a bare JSON string.
func (in *ClassifyInput) UnmarshalJSON(data []byte) error {
	var s string
	if json.Unmarshal(data, &s) == nil {
		*in = ClassifyInput{Text: s}
		return nil
	}
	var obj struct {
		Text     *string `json:"text"`
		TextPair *string `json:"text_pair"`
	}
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	if obj.Text == nil {
		return fmt.Errorf("no \"text\" field")
	}
	*in = ClassifyInput{Text: *obj.Text, Dict: obj.TextPair != nil}
	if obj.TextPair != nil {
		in.TextPair = *obj.TextPair
	}
	return nil
}

// ClassifyOptions are text-classification's arguments.
type ClassifyOptions struct {
	// TopK 0 is "top_k not passed": only the best label, returned as
	// HuggingFace's legacy shape. AllLabels or k > 0: the labels sorted by
	// score, highest first, cut to k.
	TopK int
	// Function is function_to_apply (FunctionSoftmax, FunctionSigmoid,
	// FunctionNone, or FunctionDefault to follow the config).
	Function string
}

// LabelScore is one label's score.
type LabelScore struct {
	Label string  `json:"label"`
	Score float64 `json:"score"`
}

// ClassifyResult is one input's labels, highest score first. It marshals as
// HuggingFace returns it: with top_k passed, the list; without, the single
// best label, wrapped in a list for a plain text and bare for a pair.
type ClassifyResult struct {
	Labels []LabelScore
	bare   bool // marshal Labels[0] alone
}

// MarshalJSON writes HuggingFace's shape.
func (r ClassifyResult) MarshalJSON() ([]byte, error) {
	if r.bare && len(r.Labels) == 1 {
		return json.Marshal(r.Labels[0])
	}
	return json.Marshal(r.Labels)
}

// Classify scores each input with the sequence-classification head.
func (p *Pipeline) Classify(inputs []ClassifyInput, opts ClassifyOptions) ([]ClassifyResult, error) {
	fn := opts.Function
	if fn == FunctionDefault {
		switch {
		case p.Config.ProblemType == "regression":
			fn = FunctionNone
		case p.Config.ProblemType == "multi_label_classification" || p.Config.NumLabels() == 1:
			fn = FunctionSigmoid
		default:
			fn = FunctionSoftmax
		}
	}
	switch fn {
	case FunctionSoftmax, FunctionSigmoid, FunctionNone:
	default:
		return nil, fmt.Errorf("text-classification: unknown function_to_apply %q (want softmax, sigmoid or none)", fn)
	}
	if opts.TopK < AllLabels {
		return nil, fmt.Errorf("text-classification: top_k must be positive, got %d", opts.TopK)
	}
	rows := make([]seq, len(inputs))
	for i, in := range inputs {
		enc, err := p.Tokenizer.EncodePair(in.Text, in.TextPair)
		if err != nil {
			return nil, &InputError{i, err}
		}
		rows[i] = seq{ids: enc.IDs, types: enc.TypeIDs}
	}
	out, err := p.forward(rows, p.Config.HiddenSize, "logits")
	if err != nil {
		return nil, fmt.Errorf("text-classification: %w", err)
	}
	labels := p.Config.Labels()
	results := make([]ClassifyResult, len(inputs))
	for i, logits := range out[0] {
		var scores []float32
		switch fn {
		case FunctionSoftmax:
			scores = softmax(logits)
		case FunctionSigmoid:
			for _, x := range logits {
				scores = append(scores, sigmoid(x))
			}
		default:
			scores = logits
		}
		ls := make([]LabelScore, len(scores))
		for j, s := range scores {
			ls[j] = LabelScore{Label: labels[j], Score: float64(s)}
		}
		if opts.TopK == 0 {
			j := argmax(scores)
			results[i] = ClassifyResult{Labels: ls[j : j+1], bare: inputs[i].Dict}
			continue
		}
		sort.SliceStable(ls, func(a, b int) bool { return ls[a].Score > ls[b].Score })
		if opts.TopK > 0 && opts.TopK < len(ls) {
			ls = ls[:opts.TopK]
		}
		results[i] = ClassifyResult{Labels: ls}
	}
	return results, nil
}
