package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/tokenizer"
)

// TestTokenizeConformance runs the command's function on a few inputs of
// each conformance file and checks its JSON against HuggingFace's.
func TestTokenizeConformance(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "conformance", "tokenizer")
	if env := os.Getenv("GORBERT_CONFORMANCE"); env != "" {
		dir = filepath.Join(env, "tokenizer")
	}
	var cfgs struct {
		VocabDir string `json:"vocab_dir"`
		Configs  map[string]struct {
			VocabFile string `json:"vocab_file"`
		} `json:"configs"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "configs.json"))
	if err != nil {
		t.Skipf("tokenizer conformance files not found in %s (set GORBERT_CONFORMANCE): %v", dir, err)
	}
	if err := json.Unmarshal(data, &cfgs); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, file := range []string{"single.jsonl", "pairs.jsonl", "overflow.jsonl"} {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 64<<20)
		perConfig := map[string]int{}
		for sc.Scan() {
			var c struct {
				ID                string  `json:"id"`
				Config            string  `json:"config"`
				Text              *string `json:"text"`
				TextA             *string `json:"text_a"`
				TextB             *string `json:"text_b"`
				MaxLength         int     `json:"max_length"`
				Truncation        string  `json:"truncation"`
				Stride            int     `json:"stride"`
				ReturnOverflowing bool    `json:"return_overflowing_tokens"`
				tokenizer.Record
			}
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatal(err)
			}
			if perConfig[c.Config] >= 3 {
				continue
			}
			perConfig[c.Config]++
			opts := tokenizeOptions{
				vocab:     filepath.Join(dir, cfgs.VocabDir, cfgs.Configs[c.Config].VocabFile),
				maxLength: c.MaxLength, truncation: c.Truncation, stride: c.Stride, overflow: c.ReturnOverflowing,
			}
			switch c.Config {
			case "chinese":
				no := false
				opts.lower = &no
			case "uncased_keep_accents":
				no := false
				opts.stripAccents = &no
			}
			var in []byte
			if c.Text != nil {
				in, _ = json.Marshal(map[string]string{"text": *c.Text})
			} else {
				in, _ = json.Marshal(map[string]string{"text_a": *c.TextA, "text_b": *c.TextB})
			}
			var out bytes.Buffer
			if err := tokenize(opts, bytes.NewReader(in), c.ID, &out); err != nil {
				t.Fatalf("%s %s: %v", file, c.ID, err)
			}
			var got tokenizer.Record
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatalf("%s %s: output %q: %v", file, c.ID, out.String(), err)
			}
			if !reflect.DeepEqual(got, c.Record) {
				t.Errorf("%s %s: output differs\n got  %+v\n want %+v", file, c.ID, got, c.Record)
			}
			compared++
		}
		f.Close()
	}
	t.Logf("compared %d cases", compared)
}

func TestTokenizeErrors(t *testing.T) {
	vocab := filepath.Join(t.TempDir(), "vocab.txt")
	if err := os.WriteFile(vocab, []byte("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, input, want string }{
		{"bad json", "{\"text\": \"a\"}\n{oops\n", "in.jsonl:2"},
		{"wrong fields", "{\"txt\": \"a\"}\n", "in.jsonl:1"},
		{"invalid utf-8", "{\"text\": \"a\xff\"}\n", "invalid UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tokenize(tokenizeOptions{vocab: vocab}, strings.NewReader(tc.input), "in.jsonl", &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if err := runTokenize([]string{"--vocab", vocab, "--model", "x"}); err == nil {
		t.Error("--vocab with --model did not fail")
	}
}
