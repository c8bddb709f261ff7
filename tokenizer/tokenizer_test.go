package tokenizer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// smallVocab is enough for the rules below; ids are line numbers.
const smallVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\nzero\n##wi\n##dth\n" +
	"cafe\ncooperate\n,\n.\n!\n'\ns\na\nb\n5\n##€\n中\n文\nοδοσ\ni\u0307\nab\nun\n##aff\n##able\n\u2028\n"

func newSmall(t testing.TB, mod func(*Config)) *Tokenizer {
	t.Helper()
	v, err := ParseVocab([]byte(smallVocab))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	if mod != nil {
		mod(&cfg)
	}
	tok, err := New(v, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestNormalizationRules(t *testing.T) {
	keep := false
	for _, tc := range []struct {
		name, text  string
		keepAccents bool
		want        string // tokens without [CLS]/[SEP]
	}{
		{"special literal in raw text", "hello[MASK]world", false, "hello [MASK] world"},
		{"special literal is case sensitive", "[mask]", false, "[UNK] [UNK] [UNK]"},
		{"zero width joins words", "zero\u200bwidth", false, "zero ##wi ##dth"},
		{"soft hyphen removed", "co\u00adop\u00aderate", false, "cooperate"},
		{"vertical tab removed", "a\x0bb", false, "ab"},
		{"line separator is whitespace", "hello\u2028world", false, "hello world"},
		{"accents stripped", "Café\u0301", false, "cafe"},
		{"symbols are not punctuation", "5€", false, "5 ##€"},
		{"cjk split", "中文", false, "中 文"},
		{"no final sigma", "ΟΔΟΣ", false, "οδοσ"},
		{"dotted capital I keeps its dot without strip", "İ", true, "i\u0307"},
		{"unassigned code point kept", "a\uFDD0", false, "[UNK]"},
		{"unicode 9 format char is not deleted", "a\u08E2b", false, "[UNK]"},
		{"word over the limit is unknown", strings.Repeat("a", 101), false, "[UNK]"},
		{"empty", "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := newSmall(t, func(c *Config) {
				if tc.keepAccents {
					c.StripAccents = &keep
				}
			})
			e, err := tok.Encode(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(e.Tokens[1:len(e.Tokens)-1], " ")
			if got != tc.want {
				t.Errorf("Encode(%q) = %q, want %q", tc.text, got, tc.want)
			}
			for i, o := range e.ByteOffsets {
				if o[0] > o[1] || o[1] > len(tc.text) {
					t.Errorf("token %d offsets %v outside text of %d bytes", i, o, len(tc.text))
				}
			}
		})
	}
}

func TestOffsetsSkipRemovedTrailingChars(t *testing.T) {
	tok := newSmall(t, nil)
	e, err := tok.Encode("hello" + strings.Repeat("\u0301", 120) + " wörld")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Offsets[1], [2]int{0, 5}; got != want {
		t.Errorf("hello offsets %v, want %v", got, want)
	}
	if got, want := e.Offsets[2], [2]int{126, 131}; got != want {
		t.Errorf("world offsets %v, want %v", got, want)
	}
	if got, want := e.ByteOffsets[2], [2]int{246, 252}; got != want {
		t.Errorf("world byte offsets %v, want %v", got, want)
	}
}

func TestLongestFirstSplit(t *testing.T) {
	// Budget B = max_length-3; see README rule 9.
	for _, tc := range []struct {
		na, nb, maxLen, wantA, wantB int
	}{
		{5, 5, 20, 5, 5},   // fits
		{2, 20, 13, 2, 8},  // shorter keeps all
		{10, 10, 13, 5, 5}, // tie, even budget
		{10, 10, 14, 5, 6}, // tie, odd budget: B gets the extra token
		{12, 10, 14, 6, 5}, // A longer gets the extra token
		{3, 3, 4, 0, 1},    // a side cut to zero
	} {
		tok, err := newSmall(t, nil).WithOptions(Options{MaxLength: tc.maxLen, Truncation: LongestFirst})
		if err != nil {
			t.Fatal(err)
		}
		a := strings.TrimSpace(strings.Repeat("a ", tc.na))
		b := strings.TrimSpace(strings.Repeat("b ", tc.nb))
		e, err := tok.EncodePair(a, b)
		if err != nil {
			t.Fatal(err)
		}
		gotA, gotB := 0, 0
		for _, s := range e.SequenceIDs {
			switch s {
			case 0:
				gotA++
			case 1:
				gotB++
			}
		}
		if gotA != tc.wantA || gotB != tc.wantB {
			t.Errorf("n=(%d,%d) max %d: kept (%d,%d), want (%d,%d)", tc.na, tc.nb, tc.maxLen, gotA, gotB, tc.wantA, tc.wantB)
		}
	}
}

func TestOverflowWindows(t *testing.T) {
	tok, err := newSmall(t, nil).WithOptions(Options{MaxLength: 6, Truncation: LongestFirst, Stride: 1, ReturnOverflowing: true, Padding: PadMaxLength})
	if err != nil {
		t.Fatal(err)
	}
	e, err := tok.Encode("a b a b a b a b a b a") // 11 tokens, windows of 4 stepping by 3
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range append([]Encoding{e}, e.Overflowing...) {
		got = append(got, strings.Join(w.Tokens, " "))
	}
	want := []string{
		"[CLS] a b a b [SEP]", "[CLS] b a b a [SEP]", "[CLS] a b a b [SEP]", "[CLS] b a [SEP] [PAD] [PAD]",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("windows\n got  %q\n want %q", got, want)
	}
	if last := e.Overflowing[2]; last.AttentionMask[4] != 0 || last.SpecialTokensMask[5] != 1 {
		t.Errorf("padding masks: attention %v special %v", last.AttentionMask, last.SpecialTokensMask)
	}
}

func TestBatchPadsToLongest(t *testing.T) {
	tok, err := newSmall(t, nil).WithOptions(Options{Padding: PadLongest})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"hello", "hello world , hello", "", "a b"}
	batch, err := tok.EncodeBatch(texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range batch {
		if e.Len() != 6 {
			t.Errorf("item %d has %d tokens, want 6", i, e.Len())
		}
		single, _ := newSmall(t, nil).Encode(texts[i])
		if !reflect.DeepEqual(e.IDs[:single.Len()], single.IDs) {
			t.Errorf("item %d: batch ids %v differ from single %v", i, e.IDs, single.IDs)
		}
	}
}

func TestDecode(t *testing.T) {
	tok := newSmall(t, nil)
	for _, tc := range []struct {
		text        string
		skipSpecial bool
		want        string
	}{
		{"hello, world!", true, "hello, world!"},
		{"hello, world!", false, "[CLS] hello, world! [SEP]"},
		{"unaffable a's", true, "unaffable a's"},
		{"zero\u200bwidth", true, "zerowidth"},
	} {
		e, err := tok.Encode(tc.text)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tok.Decode(e.IDs, tc.skipSpecial)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("Decode(Encode(%q)) = %q, want %q", tc.text, got, tc.want)
		}
	}
	if _, err := tok.Decode([]int{1 << 20}, false); err == nil {
		t.Error("Decode of an id outside the vocabulary did not fail")
	}
}

func TestInvalidUTF8(t *testing.T) {
	tok := newSmall(t, nil)
	if _, err := tok.Encode("hello \xff world"); err == nil || !strings.Contains(err.Error(), "byte 6") {
		t.Errorf("invalid UTF-8: err = %v, want one naming byte 6", err)
	}
	rep := newSmall(t, func(c *Config) { c.ReplaceInvalidUTF8 = true })
	e, err := rep.Encode("hello \xe2\x82 world")
	if err != nil {
		t.Fatal(err)
	}
	// One U+FFFD for the truncated 3-byte sequence, deleted by clean_text.
	if got := strings.Join(e.Tokens, " "); got != "[CLS] hello world [SEP]" {
		t.Errorf("tokens %q", got)
	}
	if got, want := e.Offsets[2], [2]int{8, 13}; got != want {
		t.Errorf("world offsets %v, want %v (in the replaced text)", got, want)
	}
}

func TestPreTokenize(t *testing.T) {
	words, err := newSmall(t, nil).PreTokenize("Héllo,[MASK] wörld")
	if err != nil {
		t.Fatal(err)
	}
	want := []Word{{"hello", 0, 6, false}, {",", 6, 7, false}, {"[MASK]", 7, 13, true}, {"world", 14, 20, false}}
	if !reflect.DeepEqual(words, want) {
		t.Errorf("PreTokenize = %+v, want %+v", words, want)
	}
}

func TestVocabErrors(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"empty", "", "empty"},
		{"duplicate", "[UNK]\na\na\n", "duplicate token \"a\""},
		{"missing unk", "[CLS]\n[SEP]\n[PAD]\n[MASK]\n", "no unknown token"},
		{"missing sep", "[UNK]\n[CLS]\n[PAD]\n[MASK]\n", "no SEP token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "vocab.txt")
			if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := FromVocabFile(path, DefaultConfig())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %v, want one naming %s and %q", err, path, tc.want)
			}
		})
	}
}

func TestVocabKeepsLineSeparators(t *testing.T) {
	v, err := ParseVocab([]byte("a\n\u2028\nb\n"))
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := v.ID("b"); id != 2 || v.Size() != 3 {
		t.Errorf("b has id %d in a vocabulary of %d, want 2 of 3", id, v.Size())
	}
	path := filepath.Join(t.TempDir(), "vocab.txt")
	if err := v.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadVocab(path)
	if err != nil || !reflect.DeepEqual(back.Tokens(), v.Tokens()) {
		t.Errorf("Save/ReadVocab round trip: %v %q", err, back.Tokens())
	}
}

func TestLoadFolder(t *testing.T) {
	write := func(dir, name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	write(dir, "vocab.txt", smallVocab)
	write(dir, "tokenizer_config.json", `{"do_lower_case": false, "strip_accents": null, "unk_token": {"content": "[UNK]"}}`)
	write(dir, "tokenizer.json", `{"normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": false},
		"pre_tokenizer": {"type": "BertPreTokenizer"},
		"model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100},
		"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
		  "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}}}`)
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Config().Lowercase {
		t.Error("do_lower_case false was not applied")
	}
	e, _ := tok.Encode("Hello")
	if e.Tokens[1] != "[UNK]" {
		t.Errorf("cased tokenizer gave %q for Hello", e.Tokens[1])
	}

	write(dir, "tokenizer_config.json", `{"do_lower_case": true}`)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "lowercase") {
		t.Errorf("conflicting lowercase settings: err = %v", err)
	}
}
