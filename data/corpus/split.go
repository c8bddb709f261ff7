package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// abbreviations are words that end in a period without ending a sentence
// (compared lower-cased, without the final period). Single letters ("J.
// Smith", "U.S.") are handled separately.
var abbreviations = map[string]bool{
	// "etc." is deliberately absent: it usually does end a sentence.
	"e.g": true, "i.e": true,
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "st": true,
	"vs": true, "cf": true, "approx": true, "no": true, "fig": true, "eq": true,
	"sec": true, "vol": true, "jr": true, "sr": true, "inc": true, "ltd": true,
	"co": true, "jan": true, "feb": true, "mar": true, "apr": true, "jun": true,
	"jul": true, "aug": true, "sep": true, "sept": true, "oct": true, "nov": true,
	"dec": true,
}

// SplitSentences cuts running text into sentences with a small rule set: a
// sentence ends at '.', '!' or '?' (possibly repeated, and possibly followed
// by closing quotes or brackets) when whitespace follows and the next word
// starts with an upper-case letter, a digit, or an opening quote or bracket.
// A period does not end a sentence after a known abbreviation ("e.g.",
// "Dr.") or a single letter ("J. Smith"). Whitespace inside a sentence is
// collapsed to single spaces; empty input gives no sentences.
func SplitSentences(text string) []string {
	words := strings.Fields(text)
	var out []string
	start := 0
	for i := 0; i < len(words)-1; i++ {
		if endsSentence(words[i]) && startsSentence(words[i+1]) {
			out = append(out, strings.Join(words[start:i+1], " "))
			start = i + 1
		}
	}
	if start < len(words) {
		out = append(out, strings.Join(words[start:], " "))
	}
	return out
}

// endsSentence reports whether word carries sentence-final punctuation.
func endsSentence(word string) bool {
	core := strings.TrimRightFunc(word, isClosing)
	if core == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(core)
	switch last {
	case '!', '?':
		return true
	case '.':
	default:
		return false
	}
	stem := strings.TrimRight(core, ".")
	if len(core)-len(stem) >= 2 {
		return true // "..." ellipsis before a capital: treat as an end
	}
	stem = strings.TrimLeftFunc(stem, isOpening)
	if abbreviations[strings.ToLower(stem)] {
		return false
	}
	if utf8.RuneCountInString(stem) == 1 {
		r, _ := utf8.DecodeRuneInString(stem)
		if unicode.IsLetter(r) {
			return false // an initial: "J. Smith"
		}
	}
	// "U.S." style: letters separated by periods.
	if strings.Contains(stem, ".") && allInitials(stem) {
		return false
	}
	return true
}

// startsSentence reports whether word can open a new sentence.
func startsSentence(word string) bool {
	r, _ := utf8.DecodeRuneInString(word)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || isOpening(r)
}

func isClosing(r rune) bool {
	switch r {
	case '"', '\'', ')', ']', '}', '»', '”', '’':
		return true
	}
	return false
}

func isOpening(r rune) bool {
	switch r {
	case '"', '\'', '(', '[', '{', '«', '“', '‘':
		return true
	}
	return false
}

func allInitials(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if utf8.RuneCountInString(part) != 1 {
			return false
		}
	}
	return true
}
