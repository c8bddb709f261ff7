package tokenizer

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// letterVocab holds every ASCII letter alone and as a continuation, plus a
// few words, so any lower-case ASCII word has a tokenization without [UNK].
func letterVocab(t testing.TB) *Tokenizer {
	toks := []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "##ing", "to", "token"}
	for c := 'a'; c <= 'z'; c++ {
		toks = append(toks, string(c), "##"+string(c))
	}
	v, err := NewVocab(toks)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := New(v, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var plainWords = regexp.MustCompile(`^[a-z]{1,100}( [a-z]{1,100})*$`)

func FuzzEncode(f *testing.F) {
	for _, s := range []string{
		"", "the tokenizing token", "Héllo, wörld!", "foo[MASK]bar", "zero\u200bwidth", "中文 ガ 한국어",
		"\xff\xfe", "a\xe2\x82b", "ΟΔΟΣ İ", "\u0301\u0301a", strings.Repeat("x", 101), "a\x00b\tc\u2028d",
	} {
		f.Add([]byte(s))
	}
	tok := letterVocab(f)
	replacing := *tok
	replacing.cfg.ReplaceInvalidUTF8 = true
	f.Fuzz(func(t *testing.T, data []byte) {
		text := string(data)
		e, err := tok.Encode(text)
		if !utf8.ValidString(text) {
			if err == nil {
				t.Fatalf("invalid UTF-8 %q encoded without error", text)
			}
			if e, err = replacing.Encode(text); err != nil {
				t.Fatalf("replacing invalid UTF-8: %v", err)
			}
			text = ReplaceInvalidUTF8(text)
		} else if err != nil {
			t.Fatalf("Encode(%q): %v", text, err)
		}
		n := utf8.RuneCountInString(text)
		prev := 0
		for i, o := range e.ByteOffsets {
			if e.SpecialTokensMask[i] == 1 {
				continue
			}
			c := e.Offsets[i]
			if o[0] < prev || o[0] > o[1] || o[1] > len(text) || c[0] > c[1] || c[1] > n {
				t.Fatalf("token %d of %q: byte offsets %v, code point offsets %v (previous start %d)", i, text, o, c, prev)
			}
			if utf8.RuneCountInString(text[:o[0]]) != c[0] || utf8.RuneCountInString(text[:o[1]]) != c[1] {
				t.Fatalf("token %d of %q: byte offsets %v disagree with code point offsets %v", i, text, o, c)
			}
			prev = o[0]
		}
		if plainWords.MatchString(text) {
			back, err := tok.Decode(e.IDs, true)
			if err != nil || back != text {
				t.Fatalf("Decode(Encode(%q)) = %q, %v", text, back, err)
			}
		}
	})
}
