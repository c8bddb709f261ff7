package tokenizer

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gorbert/gorbert/internal/atomicfile"
)

// Vocab is a WordPiece vocabulary: token id = line number in vocab.txt.
type Vocab struct {
	tokens []string
	ids    map[string]int
}

// NewVocab builds a vocabulary from tokens in id order. A repeated token is
// an error: it would make one of the two ids unreachable.
func NewVocab(tokens []string) (*Vocab, error) {
	if len(tokens) == 0 {
		return nil, fmt.Errorf("empty vocabulary")
	}
	v := &Vocab{tokens: tokens, ids: make(map[string]int, len(tokens))}
	for i, t := range tokens {
		if j, dup := v.ids[t]; dup {
			return nil, fmt.Errorf("duplicate token %q at ids %d and %d", t, j, i)
		}
		v.ids[t] = i
	}
	return v, nil
}

// ReadVocab reads a vocab.txt: one token per line, split on "\n" only.
// Other line breaks (U+2028, U+0085) are token content: real vocabularies
// contain them, and splitting there would shift every later id.
func ReadVocab(path string) (*Vocab, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	v, err := ParseVocab(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return v, nil
}

// ParseVocab parses the content of a vocab.txt (see ReadVocab).
func ParseVocab(data []byte) (*Vocab, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("empty vocabulary file")
	}
	s := strings.TrimSuffix(string(data), "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r") // tolerate files written with CRLF
	}
	return NewVocab(lines)
}

// Size is the number of tokens.
func (v *Vocab) Size() int { return len(v.tokens) }

// ID returns the id of token.
func (v *Vocab) ID(token string) (int, bool) {
	id, ok := v.ids[token]
	return id, ok
}

// Token returns the token with the given id.
func (v *Vocab) Token(id int) (string, bool) {
	if id < 0 || id >= len(v.tokens) {
		return "", false
	}
	return v.tokens[id], true
}

// Tokens returns a copy of all tokens in id order.
func (v *Vocab) Tokens() []string { return append([]string(nil), v.tokens...) }

// WriteTo writes the vocabulary in vocab.txt format.
func (v *Vocab) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, t := range v.tokens {
		k, err := io.WriteString(w, t+"\n")
		n += int64(k)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Save writes the vocabulary to path (atomically) in vocab.txt format.
func (v *Vocab) Save(path string) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := v.WriteTo(w)
		return err
	})
}
