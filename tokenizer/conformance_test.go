package tokenizer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// conformanceDir finds the HuggingFace golden files: $GORBERT_CONFORMANCE/tokenizer,
// else ../shared/conformance/tokenizer beside the repository root.
func conformanceDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "shared", "conformance", "tokenizer")
	if env := os.Getenv("GORBERT_CONFORMANCE"); env != "" {
		dir = filepath.Join(env, "tokenizer")
	}
	if _, err := os.Stat(filepath.Join(dir, "configs.json")); err != nil {
		t.Skipf("tokenizer conformance files not found in %s (set GORBERT_CONFORMANCE): %v", dir, err)
	}
	return dir
}

// conformanceConfig is one entry of configs.json.
type conformanceConfig struct {
	VocabFile            string `json:"vocab_file"`
	DoLowerCase          bool   `json:"do_lower_case"`
	StripAccents         *bool  `json:"strip_accents"`
	TokenizeChineseChars bool   `json:"tokenize_chinese_chars"`
	CleanText            bool   `json:"clean_text"`
	UnkToken             string `json:"unk_token"`
	CLSToken             string `json:"cls_token"`
	SEPToken             string `json:"sep_token"`
	PadToken             string `json:"pad_token"`
	MaskToken            string `json:"mask_token"`
	Prefix               string `json:"wordpiece_prefix"`
	MaxInputCharsPerWord int    `json:"max_input_chars_per_word"`
}

// conformanceTokenizers builds one tokenizer per config name.
func conformanceTokenizers(t testing.TB, dir string) map[string]*Tokenizer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "configs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		VocabDir string                       `json:"vocab_dir"`
		Configs  map[string]conformanceConfig `json:"configs"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatalf("configs.json: %v", err)
	}
	toks := map[string]*Tokenizer{}
	for name, c := range file.Configs {
		cfg := Config{
			Lowercase: c.DoLowerCase, StripAccents: c.StripAccents, ChineseChars: c.TokenizeChineseChars,
			CleanText: c.CleanText, UnkToken: c.UnkToken, CLSToken: c.CLSToken, SEPToken: c.SEPToken,
			PadToken: c.PadToken, MaskToken: c.MaskToken, Prefix: c.Prefix,
			MaxInputCharsPerWord: c.MaxInputCharsPerWord, CleanUpSpaces: true,
		}
		tok, err := FromVocabFile(filepath.Join(dir, file.VocabDir, c.VocabFile), cfg)
		if err != nil {
			t.Fatalf("config %s: %v", name, err)
		}
		toks[name] = tok
	}
	return toks
}

// conformanceCase is one line of single/pairs/overflow.jsonl.
type conformanceCase struct {
	ID                string              `json:"id"`
	Config            string              `json:"config"`
	Kind              string              `json:"kind"`
	Text              *string             `json:"text"`
	TextA             *string             `json:"text_a"`
	TextB             *string             `json:"text_b"`
	MaxLength         int                 `json:"max_length"`
	Truncation        string              `json:"truncation"`
	Stride            int                 `json:"stride"`
	ReturnOverflowing bool                `json:"return_overflowing_tokens"`
	Windows           []conformanceFields `json:"windows"`
	conformanceFields
}

// conformanceFields are the expected outputs of one encoding.
type conformanceFields struct {
	IDs               []int    `json:"ids"`
	Tokens            []string `json:"tokens"`
	TypeIDs           []int    `json:"token_type_ids"`
	AttentionMask     []int    `json:"attention_mask"`
	SpecialTokensMask []int    `json:"special_tokens_mask"`
	SequenceIDs       []*int   `json:"sequence_ids"`
	Offsets           [][2]int `json:"offsets"`
	ByteOffsets       [][2]int `json:"byte_offsets"`
}

func readCases(t testing.TB, path string) []conformanceCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []conformanceCase
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for line := 1; sc.Scan(); line++ {
		var c conformanceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// encodeCase runs one case's input with its settings and returns every
// window (one when there is no overflow).
func encodeCase(tok *Tokenizer, c conformanceCase) ([]Encoding, error) {
	opts := Options{MaxLength: c.MaxLength, Truncation: c.Truncation, Stride: c.Stride, ReturnOverflowing: c.ReturnOverflowing}
	if c.Truncation == "" {
		opts.MaxLength = 0
	}
	tok, err := tok.WithOptions(opts)
	if err != nil {
		return nil, err
	}
	var e Encoding
	if c.Text != nil {
		e, err = tok.Encode(*c.Text)
	} else {
		e, err = tok.EncodePair(*c.TextA, *c.TextB)
	}
	if err != nil {
		return nil, err
	}
	return append([]Encoding{e}, e.Overflowing...), nil
}

// firstDiff names the first field of got that differs from want.
func firstDiff(got Encoding, want conformanceFields) string {
	seq := make([]*int, len(got.SequenceIDs))
	for i, s := range got.SequenceIDs {
		if s >= 0 {
			seq[i] = &got.SequenceIDs[i]
		}
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"ids", got.IDs, want.IDs},
		{"tokens", got.Tokens, want.Tokens},
		{"token_type_ids", got.TypeIDs, want.TypeIDs},
		{"attention_mask", got.AttentionMask, want.AttentionMask},
		{"special_tokens_mask", got.SpecialTokensMask, want.SpecialTokensMask},
		{"sequence_ids", seqString(seq), seqString(want.SequenceIDs)},
		{"offsets", got.Offsets, want.Offsets},
		{"byte_offsets", got.ByteOffsets, want.ByteOffsets},
	} {
		if !reflect.DeepEqual(f.got, f.want) {
			return fmt.Sprintf("%s:\n got  %v\n want %v", f.name, f.got, f.want)
		}
	}
	return ""
}

func seqString(s []*int) string {
	out := ""
	for _, p := range s {
		if p == nil {
			out += "n "
		} else {
			out += fmt.Sprint(*p, " ")
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	dir := conformanceDir(t)
	toks := conformanceTokenizers(t, dir)
	compared, failed := 0, 0
	for _, file := range []string{"single.jsonl", "pairs.jsonl", "overflow.jsonl"} {
		for _, c := range readCases(t, filepath.Join(dir, file)) {
			compared++
			tok, ok := toks[c.Config]
			if !ok {
				t.Errorf("%s %s: unknown config %q", file, c.ID, c.Config)
				failed++
				continue
			}
			want := c.Windows
			if want == nil {
				want = []conformanceFields{c.conformanceFields}
			}
			got, err := encodeCase(tok, c)
			if err != nil {
				t.Errorf("%s %s (%s): %v", file, c.ID, c.Kind, err)
				failed++
				continue
			}
			if len(got) != len(want) {
				t.Errorf("%s %s (%s): %d windows, want %d", file, c.ID, c.Kind, len(got), len(want))
				failed++
				continue
			}
			for w := range want {
				if d := firstDiff(got[w], want[w]); d != "" {
					t.Errorf("%s %s (%s) window %d: %s", file, c.ID, c.Kind, w, d)
					failed++
					break
				}
			}
		}
	}
	t.Logf("compared %d conformance cases, %d passed", compared, compared-failed)
}
