package pretrain

import (
	"crypto/sha256"
	"fmt"
	"strings"
)

// Vocab is what instance creation needs from a WordPiece vocabulary: ids are
// 0..Size()-1, and Token(ID(t)) == t.
type Vocab interface {
	Size() int
	ID(token string) (int, bool)
	Token(id int) string
}

// Specials are the ids of BERT's special tokens.
type Specials struct {
	CLS, SEP, Mask, Pad int
}

// SpecialsOf looks up "[CLS]", "[SEP]", "[MASK]" and "[PAD]" in v; a missing
// one is an error naming it.
func SpecialsOf(v Vocab) (Specials, error) {
	var s Specials
	for _, x := range []struct {
		tok string
		dst *int
	}{{"[CLS]", &s.CLS}, {"[SEP]", &s.SEP}, {"[MASK]", &s.Mask}, {"[PAD]", &s.Pad}} {
		id, ok := v.ID(x.tok)
		if !ok {
			return s, fmt.Errorf("pretrain: vocabulary has no %s token", x.tok)
		}
		*x.dst = id
	}
	return s, nil
}

// ListVocab is a Vocab backed by a token list, where the line number in
// vocab.txt is the id. It is enough for tests and tools that already hold
// tokenized text; the tokenizer package has the full WordPiece vocabulary.
type ListVocab struct {
	tokens []string
	ids    map[string]int
}

// NewListVocab builds a vocabulary from tokens in id order. Duplicate or
// empty tokens are an error naming the id.
func NewListVocab(tokens []string) (*ListVocab, error) {
	v := &ListVocab{tokens: append([]string(nil), tokens...), ids: make(map[string]int, len(tokens))}
	for i, t := range tokens {
		if t == "" {
			return nil, fmt.Errorf("pretrain: vocabulary id %d is empty", i)
		}
		if j, dup := v.ids[t]; dup {
			return nil, fmt.Errorf("pretrain: vocabulary token %q appears at ids %d and %d", t, j, i)
		}
		v.ids[t] = i
	}
	return v, nil
}

// ParseVocab reads vocab.txt contents (one token per line) into a ListVocab.
func ParseVocab(contents []byte) (*ListVocab, error) {
	text := strings.TrimSuffix(strings.ReplaceAll(string(contents), "\r\n", "\n"), "\n")
	return NewListVocab(strings.Split(text, "\n"))
}

// Size is the number of tokens.
func (v *ListVocab) Size() int { return len(v.tokens) }

// ID is the id of token.
func (v *ListVocab) ID(token string) (int, bool) { id, ok := v.ids[token]; return id, ok }

// Token is the token with the given id, or "" out of range.
func (v *ListVocab) Token(id int) string {
	if id < 0 || id >= len(v.tokens) {
		return ""
	}
	return v.tokens[id]
}

// VocabChecksum is the sha256 of vocab.txt's bytes. Shards record it so that
// a model is never fed ids from another vocabulary.
func VocabChecksum(vocabTxt []byte) [32]byte { return sha256.Sum256(vocabTxt) }

// DocumentIDs converts a tokenized document (sentences of word pieces) to
// ids. Empty sentences are dropped, as the Google script drops lines that
// tokenize to nothing. A token missing from v is an error naming it: a
// WordPiece tokenizer emits [UNK] rather than out-of-vocabulary pieces.
func DocumentIDs(v Vocab, doc [][]string) ([][]int, error) {
	out := make([][]int, 0, len(doc))
	for si, sent := range doc {
		if len(sent) == 0 {
			continue
		}
		ids := make([]int, len(sent))
		for i, tok := range sent {
			id, ok := v.ID(tok)
			if !ok {
				return nil, fmt.Errorf("pretrain: sentence %d token %d %q is not in the vocabulary", si, i, tok)
			}
			ids[i] = id
		}
		out = append(out, ids)
	}
	return out, nil
}
