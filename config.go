package gorbert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/gorbert/gorbert/internal/atomicfile"
)

// Config is a BERT model's configuration, read from and written to
// HuggingFace's config.json. Fields this project does not use are kept in
// Extra so that a load/save round trip loses nothing.
type Config struct {
	VocabSize             int     `json:"vocab_size"`
	HiddenSize            int     `json:"hidden_size"`
	NumHiddenLayers       int     `json:"num_hidden_layers"`
	NumAttentionHeads     int     `json:"num_attention_heads"`
	IntermediateSize      int     `json:"intermediate_size"`
	HiddenAct             string  `json:"hidden_act"` // "gelu" (exact erf), "gelu_new" (tanh, Google's BERT), "relu"
	HiddenDropoutProb     float64 `json:"hidden_dropout_prob"`
	AttentionDropoutProb  float64 `json:"attention_probs_dropout_prob"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	TypeVocabSize         int     `json:"type_vocab_size"`
	InitializerRange      float64 `json:"initializer_range"`
	LayerNormEps          float64 `json:"layer_norm_eps"`
	PadTokenID            int     `json:"pad_token_id"`
	// PositionEmbeddingType must be "absolute": the relative variants are not implemented.
	PositionEmbeddingType string `json:"position_embedding_type,omitempty"`
	// ClassifierDropout overrides HiddenDropoutProb before task classifiers when set.
	ClassifierDropout *float64 `json:"classifier_dropout"`
	// TieWordEmbeddings: the MLM decoder reuses the word-embedding matrix (always true for BERT).
	TieWordEmbeddings *bool    `json:"tie_word_embeddings,omitempty"`
	Architectures     []string `json:"architectures,omitempty"`
	ModelType         string   `json:"model_type"`
	// ID2Label names the classes of a classification head; its length is the
	// number of labels (transformers 5 no longer writes num_labels).
	ID2Label    map[string]string `json:"id2label,omitempty"`
	Label2ID    map[string]int    `json:"label2id,omitempty"`
	ProblemType string            `json:"problem_type,omitempty"` // "single_label_classification", "regression", ...

	// Extra holds every config.json field not named above, verbatim.
	Extra map[string]json.RawMessage `json:"-"`
}

// The named sizes of Google's BERT release (L layers, H hidden, A heads, I = 4H).
var sizes = map[string][3]int{ // name -> {L, H, A}
	"tiny":   {2, 128, 2},
	"mini":   {4, 256, 4},
	"small":  {4, 512, 8},
	"medium": {8, 512, 8},
	"base":   {12, 768, 12},
	"large":  {24, 1024, 16},
}

// SizeNames lists the names accepted by Named, smallest first.
func SizeNames() []string { return []string{"tiny", "mini", "small", "medium", "base", "large"} }

// Named returns the configuration of a standard BERT size with BERT's
// uncased vocabulary size and defaults; vocabSize overrides the vocabulary
// when positive.
func Named(name string, vocabSize int) (Config, error) {
	s, ok := sizes[name]
	if !ok {
		return Config{}, fmt.Errorf("unknown model size %q (want one of %v)", name, SizeNames())
	}
	c := Default()
	c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads = s[0], s[1], s[2]
	c.IntermediateSize = 4 * s[1]
	if vocabSize > 0 {
		c.VocabSize = vocabSize
	}
	return c, nil
}

// Base is BERT-Base: L=12, H=768, A=12, 110M parameters.
func Base() Config { c, _ := Named("base", 0); return c }

// Large is BERT-Large: L=24, H=1024, A=16, 340M parameters.
func Large() Config { c, _ := Named("large", 0); return c }

// Tiny is BERT-Tiny: L=2, H=128, A=2.
func Tiny() Config { c, _ := Named("tiny", 0); return c }

// Mini is BERT-Mini: L=4, H=256, A=4.
func Mini() Config { c, _ := Named("mini", 0); return c }

// Default is HuggingFace's BertConfig() default (BERT-Base, uncased vocabulary).
func Default() Config {
	return Config{
		VocabSize: 30522, HiddenSize: 768, NumHiddenLayers: 12, NumAttentionHeads: 12,
		IntermediateSize: 3072, HiddenAct: "gelu", HiddenDropoutProb: 0.1, AttentionDropoutProb: 0.1,
		MaxPositionEmbeddings: 512, TypeVocabSize: 2, InitializerRange: 0.02, LayerNormEps: 1e-12,
		PadTokenID: 0, PositionEmbeddingType: "absolute", ModelType: "bert",
	}
}

// HeadDim is the size of one attention head.
func (c Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }

// NumLabels is the number of classes of a classification head: len(id2label),
// or HuggingFace's default of 2 when the config has none.
func (c Config) NumLabels() int {
	if len(c.ID2Label) > 0 {
		return len(c.ID2Label)
	}
	return 2
}

// Labels returns the label names ordered by id ("LABEL_i" where a name is missing).
func (c Config) Labels() []string {
	out := make([]string, c.NumLabels())
	for i := range out {
		if name, ok := c.ID2Label[strconv.Itoa(i)]; ok {
			out[i] = name
		} else {
			out[i] = fmt.Sprintf("LABEL_%d", i)
		}
	}
	return out
}

// SetLabels sets id2label and label2id from names ordered by id.
func (c *Config) SetLabels(names []string) {
	c.ID2Label = make(map[string]string, len(names))
	c.Label2ID = make(map[string]int, len(names))
	for i, n := range names {
		c.ID2Label[strconv.Itoa(i)] = n
		c.Label2ID[n] = i
	}
}

// Validate reports the first thing that makes the configuration unusable.
func (c Config) Validate() error {
	positive := []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads}, {"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings}, {"type_vocab_size", c.TypeVocabSize},
	}
	for _, p := range positive {
		if p.v <= 0 {
			return fmt.Errorf("%s must be positive, got %d", p.name, p.v)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size %d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	switch c.HiddenAct {
	case "gelu", "gelu_new", "gelu_pytorch_tanh", "relu":
	default:
		return fmt.Errorf("hidden_act %q is not supported (want gelu, gelu_new, gelu_pytorch_tanh or relu)", c.HiddenAct)
	}
	if !(c.LayerNormEps > 0) {
		return fmt.Errorf("layer_norm_eps must be positive, got %g", c.LayerNormEps)
	}
	for name, p := range map[string]float64{"hidden_dropout_prob": c.HiddenDropoutProb, "attention_probs_dropout_prob": c.AttentionDropoutProb} {
		if p < 0 || p >= 1 {
			return fmt.Errorf("%s must be in [0, 1), got %g", name, p)
		}
	}
	if c.PadTokenID < 0 || c.PadTokenID >= c.VocabSize {
		return fmt.Errorf("pad_token_id %d is outside the vocabulary (size %d)", c.PadTokenID, c.VocabSize)
	}
	if c.PositionEmbeddingType != "" && c.PositionEmbeddingType != "absolute" {
		return fmt.Errorf("position_embedding_type %q is not supported (only absolute)", c.PositionEmbeddingType)
	}
	if c.ModelType != "" && c.ModelType != "bert" {
		return fmt.Errorf("model_type %q is not bert", c.ModelType)
	}
	if c.TieWordEmbeddings != nil && !*c.TieWordEmbeddings {
		return fmt.Errorf("tie_word_embeddings=false is not supported: BERT's MLM decoder is the word-embedding matrix")
	}
	for i := 0; i < len(c.ID2Label); i++ {
		if _, ok := c.ID2Label[strconv.Itoa(i)]; !ok {
			return fmt.Errorf("id2label has %d entries but no id %d", len(c.ID2Label), i)
		}
	}
	return nil
}

// knownFields are the JSON keys Config decodes itself.
var knownFields = func() map[string]bool {
	m := map[string]bool{}
	var probe Config
	b, _ := json.Marshal(struct{ Config }{probe}) // keys with omitempty may be missing; add them below
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(b, &keys)
	for k := range keys {
		m[k] = true
	}
	for _, k := range []string{"position_embedding_type", "tie_word_embeddings", "architectures", "id2label", "label2id", "problem_type"} {
		m[k] = true
	}
	return m
}()

// UnmarshalJSON decodes config.json, keeping unknown fields in Extra and
// filling absent ones with HuggingFace's defaults.
func (c *Config) UnmarshalJSON(data []byte) error {
	type plain Config
	p := plain(Default())
	p.PositionEmbeddingType = ""
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return err
	}
	p.Extra = map[string]json.RawMessage{}
	for k, v := range all {
		if !knownFields[k] {
			p.Extra[k] = v
		}
	}
	// transformers 4 wrote num_labels; honour it when id2label is absent.
	if raw, ok := p.Extra["num_labels"]; ok && len(p.ID2Label) == 0 {
		var n int
		if json.Unmarshal(raw, &n) == nil && n > 0 {
			names := make([]string, n)
			for i := range names {
				names[i] = fmt.Sprintf("LABEL_%d", i)
			}
			(*Config)(&p).SetLabels(names)
		}
	}
	*c = Config(p)
	return nil
}

// MarshalJSON writes the fields HuggingFace writes, plus Extra, with sorted
// keys (as save_pretrained does).
func (c Config) MarshalJSON() ([]byte, error) {
	type plain Config
	b, err := json.Marshal(plain(c))
	if err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	for k, v := range c.Extra {
		if _, known := all[k]; !known {
			all[k] = v
		}
	}
	keys := make([]string, 0, len(all))
	for k := range all {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteString("{\n")
	for i, k := range keys {
		var v bytes.Buffer
		if err := json.Indent(&v, all[k], "  ", "  "); err != nil {
			return nil, err
		}
		kb, _ := json.Marshal(k)
		fmt.Fprintf(&buf, "  %s: %s", kb, v.Bytes())
		if i < len(keys)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("}")
	return buf.Bytes(), nil
}

// LoadConfig reads and validates a config.json file.
func LoadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Config{}, fmt.Errorf("%s: empty file", path)
	}
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return Config{}, fmt.Errorf("%s: malformed config: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Save writes the configuration as config.json, atomically.
func (c Config) Save(path string) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteBytes(path, append(b, '\n'))
}
