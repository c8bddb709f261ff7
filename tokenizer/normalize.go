package tokenizer

import (
	"sort"
	"unicode"
	"unicode/utf8"
)

// nchar is one character of the normalized text together with the span
// [start, end) of original bytes it came from. Every token's offsets are
// read from these spans, which is how HuggingFace's NormalizedString keeps
// its alignments.
type nchar struct {
	r          rune
	start, end int
}

// normalizer is BertNormalizer: clean_text, handle_chinese_chars,
// strip_accents and lowercase, in that order.
type normalizer struct {
	cleanText    bool
	chineseChars bool
	stripAccents bool
	lowercase    bool
}

// normalize appends the normalized characters of text to dst. base is the
// byte offset of text inside the original string the spans refer to.
func (n normalizer) normalize(dst []nchar, text string, base int) []nchar {
	first := len(dst)
	for i, r := range text {
		size := utf8.RuneLen(r)
		if r == utf8.RuneError {
			// The encoder rejects or replaces invalid UTF-8 before we get
			// here, so this is a real U+FFFD of 3 bytes.
			size = 3
		}
		c := nchar{r, base + i, base + i + size}
		if n.cleanText {
			if r == 0 || r == 0xFFFD || isControl(r) {
				continue
			}
			if isWhitespace(r) {
				c.r = ' '
			}
		}
		if n.chineseChars && isChinese(c.r) {
			// The character becomes a word of its own: spaces around it
			// take its span, as in HuggingFace (they are split away anyway).
			dst = append(dst, nchar{' ', c.start, c.end}, c, nchar{' ', c.start, c.end})
			continue
		}
		dst = append(dst, c)
	}
	if n.stripAccents {
		dst = append(dst[:first], stripAccents(dst[first:])...)
	}
	if n.lowercase {
		dst = lowercase(dst, first)
	}
	return dst
}

// isControl is what clean_text deletes: general category Cc, Cf or Co in
// Unicode 8.0, except the three whitespace controls.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	if r < 0x80 {
		return r < 0x20 || r == 0x7F
	}
	return unicode.Is(otherTable, r)
}

// isWhitespace is Rust's char::is_whitespace (the White_Space property),
// which is also Go's unicode.IsSpace.
func isWhitespace(r rune) bool {
	if r < 0x80 {
		return r == ' ' || (r >= '\t' && r <= '\r')
	}
	return unicode.IsSpace(r)
}

// isPunctuation is BertPreTokenizer's is_bert_punc: ASCII punctuation
// (which includes symbols such as $ + < = > ^ ` | ~) or Unicode 8.0 P*.
func isPunctuation(r rune) bool {
	if r < 0x80 {
		return (r >= '!' && r <= '/') || (r >= ':' && r <= '@') || (r >= '[' && r <= '`') || (r >= '{' && r <= '~')
	}
	return unicode.Is(punctuationTable, r)
}

// isChinese reports whether r is in the CJK ideograph blocks that
// HuggingFace splits into one-character words. The range starting at
// U+2B920 (not U+2B820 as in Google's BERT) is the Rust library's.
func isChinese(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) ||
		(r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) ||
		(r >= 0x2B920 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0x2F800 && r <= 0x2FA1F)
}

// Hangul syllable decomposition constants (Unicode §3.12).
const (
	hangulBase  = 0xAC00
	hangulL     = 0x1100
	hangulV     = 0x1161
	hangulT     = 0x11A7
	hangulTN    = 28
	hangulNN    = 21 * 28
	hangulCount = 19 * 21 * 28
)

// change is one character of a transformation in HuggingFace's terms: a
// character that replaces the next original one (inserted=false), or one
// inserted after it (inserted=true), which shares the previous span.
type change struct {
	r        rune
	inserted bool
}

// stripAccents is NFD followed by removing non-spacing marks (Mn).
//
// NFD may reorder combining marks; HuggingFace assigns spans by position in
// the output stream, not by character, and we do the same: a replacing
// character takes the span of the next unconsumed input character, an
// inserted one the span of the last consumed one.
func stripAccents(in []nchar) []nchar {
	ascii := true
	for _, c := range in {
		if c.r >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return in // NFD and Mn removal are the identity on ASCII
	}
	stream := make([]change, 0, len(in)+8)
	for _, c := range in {
		stream = appendDecomposed(stream, c.r)
	}
	canonicalOrder(stream)

	out := make([]nchar, 0, len(stream))
	next := 0 // next input character to consume
	for _, ch := range stream {
		var span nchar
		if ch.inserted {
			if next > 0 {
				span = in[next-1]
			}
		} else {
			span = in[next]
			next++
		}
		if isNonspacingMark(ch.r) {
			continue
		}
		out = append(out, nchar{ch.r, span.start, span.end})
	}
	return out
}

func appendDecomposed(dst []change, r rune) []change {
	if r >= hangulBase && r < hangulBase+hangulCount {
		s := r - hangulBase
		dst = append(dst, change{hangulL + s/hangulNN, false}, change{hangulV + (s%hangulNN)/hangulTN, true})
		if t := s % hangulTN; t != 0 {
			dst = append(dst, change{hangulT + t, true})
		}
		return dst
	}
	d, ok := decompositions[r]
	if !ok {
		return append(dst, change{r, false})
	}
	for i, c := range d {
		dst = append(dst, change{c, i > 0})
	}
	return dst
}

// canonicalOrder sorts every run of non-starters by combining class,
// stably (the Canonical Ordering Algorithm).
func canonicalOrder(s []change) {
	for i := 0; i < len(s); {
		if combiningClasses[s[i].r] == 0 {
			i++
			continue
		}
		j := i
		for j < len(s) && combiningClasses[s[j].r] != 0 {
			j++
		}
		if j-i > 1 {
			run := s[i:j]
			sort.SliceStable(run, func(a, b int) bool {
				return combiningClasses[run[a].r] < combiningClasses[run[b].r]
			})
		}
		i = j
	}
}

func isNonspacingMark(r rune) bool {
	return r >= 0x300 && unicode.Is(nonspacingMarkTable, r)
}

// lowercase applies the full per-character lower-case mapping, as Rust's
// char::to_lowercase: no final-sigma context, and U+0130 (İ) becomes
// "i" + U+0307, both with the span of the İ.
func lowercase(s []nchar, from int) []nchar {
	for i := from; i < len(s); i++ {
		c := s[i]
		if c.r < 0x80 {
			if c.r >= 'A' && c.r <= 'Z' {
				s[i].r += 'a' - 'A'
			}
			continue
		}
		if c.r == 0x130 {
			s[i].r = 'i'
			s = append(s, nchar{})
			copy(s[i+2:], s[i+1:])
			s[i+1] = nchar{0x307, c.start, c.end}
			i++
			continue
		}
		s[i].r = unicode.ToLower(c.r)
	}
	return s
}
