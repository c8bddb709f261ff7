package corpus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// MaxLineBytes is the longest line a Scanner accepts.
const MaxLineBytes = 16 << 20

// ScanOptions configure a Scanner.
type ScanOptions struct {
	// SplitSentences treats the lines of a document as running text: they
	// are joined and cut into sentences by SplitSentences. Off, each
	// non-blank line is one sentence.
	SplitSentences bool
}

// Scanner streams the documents of a plain-text corpus: one sentence per
// line, blank lines (or lines of only white space) between documents. Lines
// are trimmed; runs of blank lines count as one separator.
//
// Use it like bufio.Scanner:
//
//	s := corpus.NewScanner(r, "train.txt", corpus.ScanOptions{})
//	for s.Scan() {
//		doc := s.Document() // []string, one sentence each
//	}
//	if err := s.Err(); err != nil { ... }
type Scanner struct {
	name string
	opts ScanOptions
	in   *bufio.Scanner
	line int // lines read so far
	doc  []string
	docs int
	err  error
	done bool
}

// NewScanner reads a corpus from r; name (usually the file path) appears in
// every error message.
func NewScanner(r io.Reader, name string, opts ScanOptions) *Scanner {
	in := bufio.NewScanner(r)
	in.Buffer(make([]byte, 64<<10), MaxLineBytes)
	return &Scanner{name: name, opts: opts, in: in}
}

// Scan advances to the next document and reports whether there is one.
func (s *Scanner) Scan() bool {
	if s.done {
		return false
	}
	s.doc = nil
	var lines []string
	for s.in.Scan() {
		s.line++
		raw := s.in.Bytes()
		if !utf8.Valid(raw) {
			return s.fail(fmt.Errorf("corpus %s:%d: invalid UTF-8", s.name, s.line))
		}
		text := strings.TrimSpace(string(raw))
		if text == "" {
			if len(lines) > 0 {
				return s.emit(lines)
			}
			continue
		}
		lines = append(lines, text)
	}
	if err := s.in.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return s.fail(fmt.Errorf("corpus %s:%d: line longer than %d bytes", s.name, s.line+1, MaxLineBytes))
		}
		return s.fail(fmt.Errorf("corpus %s: %w", s.name, err))
	}
	if len(lines) > 0 {
		return s.emit(lines)
	}
	s.done = true
	if s.docs == 0 {
		s.err = fmt.Errorf("corpus %s: empty file: no sentences (expected one sentence per line, blank lines between documents)", s.name)
	}
	return false
}

func (s *Scanner) emit(lines []string) bool {
	if s.opts.SplitSentences {
		lines = SplitSentences(strings.Join(lines, " "))
	}
	s.doc = lines
	s.docs++
	return true
}

func (s *Scanner) fail(err error) bool {
	s.err = err
	s.done = true
	s.doc = nil
	return false
}

// Document is the current document: its sentences, in order. The slice is
// the caller's to keep.
func (s *Scanner) Document() []string { return s.doc }

// Line is the number of lines read so far (the last line of the current
// document, or the blank line after it).
func (s *Scanner) Line() int { return s.line }

// Err is the first error met, or nil at a clean end of input.
func (s *Scanner) Err() error { return s.err }

// ReadFile reads a whole corpus file into memory: documents of sentences.
// For corpora larger than memory use a Scanner.
func ReadFile(path string, opts ScanOptions) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	s := NewScanner(f, path, opts)
	var docs [][]string
	for s.Scan() {
		docs = append(docs, s.Document())
	}
	return docs, s.Err()
}

// WriteDocuments writes documents in the corpus format: one sentence per
// line, a blank line after each document. A sentence that is blank or
// contains a line break is an error naming the document and sentence.
func WriteDocuments(w io.Writer, docs [][]string) error {
	bw := bufio.NewWriter(w)
	for d, doc := range docs {
		for i, sent := range doc {
			if strings.ContainsAny(sent, "\r\n") {
				return fmt.Errorf("corpus: document %d sentence %d contains a line break", d, i)
			}
			if strings.TrimSpace(sent) == "" {
				return fmt.Errorf("corpus: document %d sentence %d is blank (it would end the document)", d, i)
			}
			bw.WriteString(sent)
			bw.WriteByte('\n')
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
