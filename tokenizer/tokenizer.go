package tokenizer

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Config is the tokenizer's settings, named as in HuggingFace's
// tokenizer_config.json. DefaultConfig is bert-base-uncased's.
type Config struct {
	Lowercase bool // do_lower_case
	// StripAccents removes accents (NFD, then drop Mn). nil follows Lowercase,
	// as HuggingFace's strip_accents=None does.
	StripAccents *bool
	ChineseChars bool // tokenize_chinese_chars: CJK ideographs become one-character words
	CleanText    bool // delete control/format/private-use characters, map whitespace to ' '

	UnkToken, CLSToken, SEPToken, PadToken, MaskToken string

	Prefix               string // continuing_subword_prefix, "##"
	MaxInputCharsPerWord int    // longer words become [UNK]; 100

	// CleanUpSpaces is clean_up_tokenization_spaces for Decode.
	CleanUpSpaces bool
	// ReplaceInvalidUTF8 replaces invalid UTF-8 with U+FFFD (one per maximal
	// invalid subsequence, as Python's bytes.decode(errors="replace")) instead
	// of returning an error. clean_text then deletes the U+FFFD, but offsets
	// refer to the replaced text.
	ReplaceInvalidUTF8 bool
}

// DefaultConfig returns bert-base-uncased's settings.
func DefaultConfig() Config {
	return Config{
		Lowercase:            true,
		ChineseChars:         true,
		CleanText:            true,
		UnkToken:             "[UNK]",
		CLSToken:             "[CLS]",
		SEPToken:             "[SEP]",
		PadToken:             "[PAD]",
		MaskToken:            "[MASK]",
		Prefix:               "##",
		MaxInputCharsPerWord: 100,
		CleanUpSpaces:        true,
	}
}

// Tokenizer turns text into BERT inputs. It is safe for concurrent use.
type Tokenizer struct {
	vocab *Vocab
	cfg   Config
	opts  Options
	norm  normalizer

	unk, cls, sep, padID, mask int
	special                    []string     // matched in the raw text, before normalization
	specialIDs                 map[int]bool // skipped by Decode(skipSpecial=true)
	maxPieceBytes              int          // longest vocab entry without its prefix
}

// New makes a tokenizer from a vocabulary and settings. The vocabulary must
// hold the unknown, CLS, SEP, PAD and MASK tokens named by cfg.
func New(v *Vocab, cfg Config) (*Tokenizer, error) {
	if cfg.MaxInputCharsPerWord <= 0 {
		return nil, fmt.Errorf("max_input_chars_per_word must be positive, got %d", cfg.MaxInputCharsPerWord)
	}
	t := &Tokenizer{vocab: v, cfg: cfg, specialIDs: map[int]bool{}}
	strip := cfg.Lowercase
	if cfg.StripAccents != nil {
		strip = *cfg.StripAccents
	}
	t.norm = normalizer{cleanText: cfg.CleanText, chineseChars: cfg.ChineseChars, stripAccents: strip, lowercase: cfg.Lowercase}
	for _, s := range []struct {
		name, tok string
		id        *int
	}{
		{"unknown", cfg.UnkToken, &t.unk}, {"CLS", cfg.CLSToken, &t.cls}, {"SEP", cfg.SEPToken, &t.sep},
		{"PAD", cfg.PadToken, &t.padID}, {"MASK", cfg.MaskToken, &t.mask},
	} {
		id, ok := v.ID(s.tok)
		if !ok || s.tok == "" {
			return nil, fmt.Errorf("vocabulary has no %s token %q", s.name, s.tok)
		}
		*s.id = id
		t.special = append(t.special, s.tok)
		t.specialIDs[id] = true
	}
	for _, tok := range v.tokens {
		n := len(strings.TrimPrefix(tok, cfg.Prefix))
		if n > t.maxPieceBytes {
			t.maxPieceBytes = n
		}
	}
	return t, nil
}

// FromVocabFile reads a vocab.txt and applies cfg.
func FromVocabFile(path string, cfg Config) (*Tokenizer, error) {
	v, err := ReadVocab(path)
	if err != nil {
		return nil, err
	}
	t, err := New(v, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// WithOptions returns a tokenizer sharing t's vocabulary that encodes with
// opts. It fails on an unknown truncation or padding strategy.
func (t *Tokenizer) WithOptions(opts Options) (*Tokenizer, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	c := *t
	c.opts = opts
	return &c, nil
}

// Options returns the encoding options in use.
func (t *Tokenizer) Options() Options { return t.opts }

// Config returns the tokenizer's settings.
func (t *Tokenizer) Config() Config { return t.cfg }

// Vocab returns the vocabulary.
func (t *Tokenizer) Vocab() *Vocab { return t.vocab }

// VocabSize is the number of tokens in the vocabulary.
func (t *Tokenizer) VocabSize() int { return t.vocab.Size() }

// ID returns the id of a token.
func (t *Tokenizer) ID(token string) (int, bool) { return t.vocab.ID(token) }

// Token returns the token of an id.
func (t *Tokenizer) Token(id int) (string, bool) { return t.vocab.Token(id) }

// Special token ids.
func (t *Tokenizer) UnkID() int  { return t.unk }
func (t *Tokenizer) CLSID() int  { return t.cls }
func (t *Tokenizer) SEPID() int  { return t.sep }
func (t *Tokenizer) PadID() int  { return t.padID }
func (t *Tokenizer) MaskID() int { return t.mask }

// Word is one pre-tokenized word: its normalized text and the byte span
// [Start, End) of the original text it covers. Special tokens written in the
// text ("[MASK]") are words of their own with Special set.
type Word struct {
	Text       string
	Start, End int
	Special    bool
}

// PreTokenize normalizes text and splits it into words the way the encoder
// does, for code that needs word boundaries (NER labels, whole-word masking).
func (t *Tokenizer) PreTokenize(text string) ([]Word, error) {
	text, err := t.validUTF8(text)
	if err != nil {
		return nil, err
	}
	var words []Word
	t.walkWords(text, func(w []nchar, special int) {
		if special >= 0 {
			words = append(words, Word{Text: t.vocab.tokens[special], Start: w[0].start, End: w[0].end, Special: true})
			return
		}
		var b strings.Builder
		for _, c := range w {
			b.WriteRune(c.r)
		}
		words = append(words, Word{Text: b.String(), Start: w[0].start, End: w[len(w)-1].end})
	})
	return words, nil
}

// walkWords splits text on the special tokens, normalizes the rest, and
// calls fn for each word. For a special token, w holds one entry with its
// span and special is its id; otherwise special is -1.
func (t *Tokenizer) walkWords(text string, fn func(w []nchar, special int)) {
	var buf []nchar
	pos := 0
	for pos <= len(text) {
		at, tok := t.nextSpecial(text, pos)
		end := len(text)
		if tok != "" {
			end = at
		}
		if end > pos {
			buf = t.norm.normalize(buf[:0], text[pos:end], pos)
			splitWords(buf, func(w []nchar) { fn(w, -1) })
		}
		if tok == "" {
			return
		}
		id, _ := t.vocab.ID(tok)
		fn([]nchar{{0, at, at + len(tok)}}, id)
		pos = at + len(tok)
	}
}

// nextSpecial finds the leftmost special token at or after pos, preferring
// the longest one at that position (HuggingFace's leftmost-longest match).
func (t *Tokenizer) nextSpecial(text string, pos int) (int, string) {
	for i := pos; i < len(text); i++ {
		best := ""
		for _, s := range t.special {
			if len(s) > len(best) && text[i] == s[0] && strings.HasPrefix(text[i:], s) {
				best = s
			}
		}
		if best != "" {
			return i, best
		}
	}
	return -1, ""
}

// splitWords is BertPreTokenizer: split on whitespace (removed), and make
// every punctuation character a word of its own.
func splitWords(s []nchar, fn func([]nchar)) {
	start := 0
	for i, c := range s {
		switch {
		case isWhitespace(c.r):
			if i > start {
				fn(s[start:i])
			}
			start = i + 1
		case isPunctuation(c.r):
			if i > start {
				fn(s[start:i])
			}
			fn(s[i : i+1])
			start = i + 1
		}
	}
	if len(s) > start {
		fn(s[start:])
	}
}

// piece is one WordPiece token with its original byte span.
type piece struct {
	id         int
	start, end int
}

// scratch is reusable memory for wordPiece, so encoding a word allocates nothing.
type scratch struct {
	word, key []byte
	offs      []int
}

// wordPiece appends the pieces of one word: greedy longest-match-first,
// the prefix ("##") on pieces after the first, and a single [UNK] spanning
// the whole word if it has more than MaxInputCharsPerWord characters or any
// part of it matches nothing.
func (t *Tokenizer) wordPiece(dst []piece, w []nchar, sc *scratch) []piece {
	unk := piece{t.unk, w[0].start, w[len(w)-1].end}
	if len(w) > t.cfg.MaxInputCharsPerWord {
		return append(dst, unk)
	}
	// Encode the word once; offs[i] is the byte offset of character i.
	word, offs := sc.word[:0], sc.offs[:0]
	for _, c := range w {
		offs = append(offs, len(word))
		word = utf8.AppendRune(word, c.r)
	}
	offs = append(offs, len(word))
	sc.word, sc.offs = word, offs

	n0 := len(dst)
	for i := 0; i < len(w); {
		found := false
		for j := len(w); j > i; j-- {
			if offs[j]-offs[i] > t.maxPieceBytes {
				continue // longer than any vocabulary entry
			}
			key := sc.key[:0]
			if i > 0 {
				key = append(key, t.cfg.Prefix...)
			}
			key = append(key, word[offs[i]:offs[j]]...)
			sc.key = key
			if id, ok := t.vocab.ids[string(key)]; ok {
				dst = append(dst, piece{id, w[i].start, w[j-1].end})
				i = j
				found = true
				break
			}
		}
		if !found {
			return append(dst[:n0], unk)
		}
	}
	return dst
}

// validUTF8 returns text unchanged when valid; otherwise an error, or the
// text with invalid bytes replaced when the config asks for it.
func (t *Tokenizer) validUTF8(text string) (string, error) {
	if utf8.ValidString(text) {
		return text, nil
	}
	if !t.cfg.ReplaceInvalidUTF8 {
		for i, r := range text {
			if r == utf8.RuneError {
				if _, size := utf8.DecodeRuneInString(text[i:]); size == 1 {
					return "", fmt.Errorf("invalid UTF-8 at byte %d", i)
				}
			}
		}
	}
	return ReplaceInvalidUTF8(text), nil
}

// ReplaceInvalidUTF8 replaces each maximal invalid subsequence (Unicode's
// "maximal subpart", the practice of Python's bytes.decode(errors="replace"))
// with one U+FFFD.
func ReplaceInvalidUTF8(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != utf8.RuneError || size > 1 {
			b.WriteString(s[i : i+size])
			i += size
			continue
		}
		b.WriteRune(utf8.RuneError)
		i += maximalSubpart(s[i:])
	}
	return b.String()
}

// maximalSubpart is the length of the longest prefix of s (at least 1) that
// starts a well-formed UTF-8 sequence without completing it.
func maximalSubpart(s string) int {
	c := s[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF) // allowed range of the second byte
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 1
	}
	n := 1
	for k := 0; k < need && n < len(s); k++ {
		b := s[n]
		if k == 0 && (b < lo || b > hi) || k > 0 && (b < 0x80 || b > 0xBF) {
			break
		}
		n++
	}
	return n
}
