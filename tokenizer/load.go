package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// Load reads a HuggingFace model folder: vocab.txt, and the settings in
// tokenizer_config.json and tokenizer.json when present (a folder with only
// tokenizer.json takes the vocabulary from its WordPiece model). Settings
// missing from both files keep DefaultConfig's values; a setting the files
// give differently is an error, not a guess.
func Load(dir string) (*Tokenizer, error) {
	cfg := DefaultConfig()
	set := map[string]setting{} // what each file said, to detect conflicts

	var vocab *Vocab
	vocabPath := filepath.Join(dir, "vocab.txt")
	if v, err := ReadVocab(vocabPath); err == nil {
		vocab = v
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}

	tcPath := filepath.Join(dir, "tokenizer_config.json")
	if data, err := os.ReadFile(tcPath); err == nil {
		if err := readTokenizerConfig(tcPath, data, set); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}

	tjPath := filepath.Join(dir, "tokenizer.json")
	if data, err := os.ReadFile(tjPath); err == nil {
		v, err := readTokenizerJSON(tjPath, data, set)
		if err != nil {
			return nil, err
		}
		switch {
		case vocab == nil:
			vocab = v
		case v != nil && !sameTokens(vocab, v):
			return nil, fmt.Errorf("%s: the WordPiece vocabulary differs from %s", tjPath, vocabPath)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if vocab == nil {
		return nil, fmt.Errorf("%s: no vocab.txt and no WordPiece vocabulary in tokenizer.json", dir)
	}

	if err := applySettings(&cfg, set); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	t, err := New(vocab, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return t, nil
}

// setting is one value and the file that gave it.
type setting struct {
	value any // bool, *bool (strip_accents), string or int
	file  string
}

// record stores a value, failing when another file gave a different one.
func record(set map[string]setting, key string, value any, file string) error {
	if old, ok := set[key]; ok && !equalSetting(old.value, value) {
		return fmt.Errorf("%s: %s is %v but %s says %v", file, key, show(value), old.file, show(old.value))
	}
	set[key] = setting{value, file}
	return nil
}

func equalSetting(a, b any) bool {
	pa, aok := a.(*bool)
	pb, bok := b.(*bool)
	if aok || bok {
		return aok && bok && (pa == nil) == (pb == nil) && (pa == nil || *pa == *pb)
	}
	return a == b
}

func show(v any) any {
	if p, ok := v.(*bool); ok {
		if p == nil {
			return "null"
		}
		return *p
	}
	return v
}

// readTokenizerConfig reads transformers' tokenizer_config.json.
func readTokenizerConfig(path string, data []byte, set map[string]setting) error {
	var tc struct {
		DoLowerCase          *bool           `json:"do_lower_case"`
		StripAccents         json.RawMessage `json:"strip_accents"`
		TokenizeChineseChars *bool           `json:"tokenize_chinese_chars"`
		CleanUp              *bool           `json:"clean_up_tokenization_spaces"`
		Unk                  json.RawMessage `json:"unk_token"`
		CLS                  json.RawMessage `json:"cls_token"`
		SEP                  json.RawMessage `json:"sep_token"`
		Pad                  json.RawMessage `json:"pad_token"`
		Mask                 json.RawMessage `json:"mask_token"`
	}
	if err := json.Unmarshal(data, &tc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var errs []error
	put := func(key string, v any) { errs = append(errs, record(set, key, v, path)) }
	if tc.DoLowerCase != nil {
		put("lowercase", *tc.DoLowerCase)
	}
	if len(tc.StripAccents) > 0 {
		var p *bool
		if err := json.Unmarshal(tc.StripAccents, &p); err != nil {
			return fmt.Errorf("%s: strip_accents: %w", path, err)
		}
		put("strip_accents", p)
	}
	if tc.TokenizeChineseChars != nil {
		put("chinese_chars", *tc.TokenizeChineseChars)
	}
	if tc.CleanUp != nil {
		put("clean_up_tokenization_spaces", *tc.CleanUp)
	}
	for _, tok := range []struct {
		key string
		raw json.RawMessage
	}{{"unk_token", tc.Unk}, {"cls_token", tc.CLS}, {"sep_token", tc.SEP}, {"pad_token", tc.Pad}, {"mask_token", tc.Mask}} {
		if len(tok.raw) == 0 || string(tok.raw) == "null" {
			continue
		}
		s, err := tokenContent(tok.raw)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", path, tok.key, err)
		}
		put(tok.key, s)
	}
	return errors.Join(errs...)
}

// tokenContent reads a special token written as "[UNK]" or as an
// AddedToken object {"content": "[UNK]", ...}.
func tokenContent(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var obj struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", err
	}
	return obj.Content, nil
}

// readTokenizerJSON reads tokenizers' tokenizer.json. Only the BERT
// pipeline is supported; another normalizer, pre-tokenizer or model is an
// error rather than a silently different tokenization.
func readTokenizerJSON(path string, data []byte, set map[string]setting) (*Vocab, error) {
	var tj struct {
		Normalizer *struct {
			Type               string          `json:"type"`
			CleanText          *bool           `json:"clean_text"`
			HandleChineseChars *bool           `json:"handle_chinese_chars"`
			StripAccents       json.RawMessage `json:"strip_accents"`
			Lowercase          *bool           `json:"lowercase"`
		} `json:"normalizer"`
		PreTokenizer *struct {
			Type string `json:"type"`
		} `json:"pre_tokenizer"`
		Model struct {
			Type                    string         `json:"type"`
			UnkToken                *string        `json:"unk_token"`
			ContinuingSubwordPrefix *string        `json:"continuing_subword_prefix"`
			MaxInputCharsPerWord    *int           `json:"max_input_chars_per_word"`
			Vocab                   map[string]int `json:"vocab"`
		} `json:"model"`
		PostProcessor *struct {
			Type          string `json:"type"`
			SpecialTokens map[string]struct {
				Tokens []string `json:"tokens"`
			} `json:"special_tokens"`
			Single []map[string]struct {
				ID string `json:"id"`
			} `json:"single"`
			CLS []any `json:"cls"` // BertProcessing: ["[CLS]", 101]
			SEP []any `json:"sep"`
		} `json:"post_processor"`
	}
	if err := json.Unmarshal(data, &tj); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var errs []error
	put := func(key string, v any) { errs = append(errs, record(set, key, v, path)) }
	if n := tj.Normalizer; n != nil {
		if n.Type != "BertNormalizer" {
			return nil, fmt.Errorf("%s: normalizer %q is not supported (want BertNormalizer)", path, n.Type)
		}
		if n.CleanText != nil {
			put("clean_text", *n.CleanText)
		}
		if n.HandleChineseChars != nil {
			put("chinese_chars", *n.HandleChineseChars)
		}
		if n.Lowercase != nil {
			put("lowercase", *n.Lowercase)
		}
		if len(n.StripAccents) > 0 {
			var p *bool
			if err := json.Unmarshal(n.StripAccents, &p); err != nil {
				return nil, fmt.Errorf("%s: normalizer.strip_accents: %w", path, err)
			}
			put("strip_accents", p)
		}
	}
	if p := tj.PreTokenizer; p != nil && p.Type != "BertPreTokenizer" {
		return nil, fmt.Errorf("%s: pre_tokenizer %q is not supported (want BertPreTokenizer)", path, p.Type)
	}
	m := tj.Model
	if m.Type != "" && m.Type != "WordPiece" {
		return nil, fmt.Errorf("%s: model %q is not supported (want WordPiece)", path, m.Type)
	}
	if m.UnkToken != nil {
		put("unk_token", *m.UnkToken)
	}
	if m.ContinuingSubwordPrefix != nil {
		put("prefix", *m.ContinuingSubwordPrefix)
	}
	if m.MaxInputCharsPerWord != nil {
		put("max_input_chars_per_word", *m.MaxInputCharsPerWord)
	}
	if pp := tj.PostProcessor; pp != nil {
		switch pp.Type {
		case "TemplateProcessing":
			// The BERT template: the first special token is CLS, the last SEP.
			var names []string
			for _, piece := range pp.Single {
				if st, ok := piece["SpecialToken"]; ok {
					names = append(names, st.ID)
				}
			}
			if len(names) != 2 {
				return nil, fmt.Errorf("%s: post_processor template has %d special tokens, want [CLS] $A [SEP]", path, len(names))
			}
			for i, key := range []string{"cls_token", "sep_token"} {
				st := pp.SpecialTokens[names[i]]
				if len(st.Tokens) != 1 {
					return nil, fmt.Errorf("%s: post_processor special token %q must be one token", path, names[i])
				}
				put(key, st.Tokens[0])
			}
		case "BertProcessing":
			for _, f := range []struct {
				key string
				v   []any
			}{{"cls_token", pp.CLS}, {"sep_token", pp.SEP}} {
				if len(f.v) == 2 {
					if s, ok := f.v[0].(string); ok {
						put(f.key, s)
					}
				}
			}
		default:
			return nil, fmt.Errorf("%s: post_processor %q is not supported", path, pp.Type)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(m.Vocab) == 0 {
		return nil, nil
	}
	// The vocabulary is a token -> id map; ids must be exactly 0..n-1.
	tokens := make([]string, len(m.Vocab))
	type kv struct {
		tok string
		id  int
	}
	var all []kv
	for tok, id := range m.Vocab {
		all = append(all, kv{tok, id})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].id < all[j].id })
	for i, e := range all {
		if e.id != i {
			return nil, fmt.Errorf("%s: model.vocab ids are not 0..%d (token %q has id %d)", path, len(all)-1, e.tok, e.id)
		}
		tokens[i] = e.tok
	}
	v, err := NewVocab(tokens)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// applySettings copies the recorded settings into cfg.
func applySettings(cfg *Config, set map[string]setting) error {
	for key, s := range set {
		var ok bool
		switch key {
		case "lowercase":
			cfg.Lowercase, ok = s.value.(bool)
		case "strip_accents":
			cfg.StripAccents, ok = s.value.(*bool)
		case "chinese_chars":
			cfg.ChineseChars, ok = s.value.(bool)
		case "clean_text":
			cfg.CleanText, ok = s.value.(bool)
		case "clean_up_tokenization_spaces":
			cfg.CleanUpSpaces, ok = s.value.(bool)
		case "unk_token":
			cfg.UnkToken, ok = s.value.(string)
		case "cls_token":
			cfg.CLSToken, ok = s.value.(string)
		case "sep_token":
			cfg.SEPToken, ok = s.value.(string)
		case "pad_token":
			cfg.PadToken, ok = s.value.(string)
		case "mask_token":
			cfg.MaskToken, ok = s.value.(string)
		case "prefix":
			cfg.Prefix, ok = s.value.(string)
		case "max_input_chars_per_word":
			cfg.MaxInputCharsPerWord, ok = s.value.(int)
		}
		if !ok {
			return fmt.Errorf("%s: bad value %v for %s", s.file, show(s.value), key)
		}
	}
	return nil
}

func sameTokens(a, b *Vocab) bool {
	if a.Size() != b.Size() {
		return false
	}
	for i := range a.tokens {
		if a.tokens[i] != b.tokens[i] {
			return false
		}
	}
	return true
}
