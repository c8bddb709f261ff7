package tasks

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// TaggedSentence is one sentence of a token-classification task: its words
// and one tag per word.
type TaggedSentence struct {
	ID    string // "<file>:<line>" of the sentence's first word
	Words []string
	Tags  []string // BIO/IOB2: "O", "B-TYPE" or "I-TYPE"
}

// CoNLLOptions configures ReadCoNLL.
type CoNLLOptions struct {
	// TagColumn is the 0-based column of the tag. The zero value means the
	// last column, CoNLL-2003's NER tag (column 0 always holds the word, so
	// it cannot be meant); negative values count from the end (-2 is the
	// one before last: CoNLL-2003's chunk tag).
	TagColumn int
	// IOB1 says the file uses IOB1 tags (I- everywhere, B- only between two
	// adjacent entities of one type, as in the original CoNLL-2003 release);
	// they are converted to IOB2 with IOB1ToIOB2.
	IOB1 bool
}

// ReadCoNLL reads a CoNLL file; see ParseCoNLL.
func ReadCoNLL(path string, opts CoNLLOptions) ([]TaggedSentence, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseCoNLL(f, path, opts)
}

// ParseCoNLL reads sentences of one token per line, columns separated by
// white space, sentences separated by blank lines. Lines whose first column is
// -DOCSTART- mark document boundaries and are skipped (they also end a
// sentence). Every tag must be "O" or B-/I- followed by a type; anything else
// is an error naming the line, as are lines with too few columns and token
// lines whose number of columns differs from the file's first token line
// (a missing or extra column would shift the tag column).
func ParseCoNLL(r io.Reader, name string, opts CoNLLOptions) ([]TaggedSentence, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var out []TaggedSentence
	var cur TaggedSentence
	flush := func() {
		if len(cur.Words) > 0 {
			if opts.IOB1 {
				cur.Tags = IOB1ToIOB2(cur.Tags)
			}
			out = append(out, cur)
		}
		cur = TaggedSentence{}
	}
	line := 0
	width := 0 // columns of the first token line
	for sc.Scan() {
		line++
		fields := strings.Fields(sc.Text())
		if line == 1 && len(fields) > 0 {
			fields[0] = strings.TrimPrefix(fields[0], "\ufeff")
		}
		if len(fields) == 0 || fields[0] == "-DOCSTART-" {
			flush()
			continue
		}
		col := opts.TagColumn
		switch {
		case col == 0:
			col = len(fields) - 1
		case col < 0:
			col += len(fields)
		}
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s:%d: 1 column, need a word and a tag", name, line)
		}
		if width == 0 {
			width = len(fields)
		} else if len(fields) != width {
			return nil, fmt.Errorf("%s:%d: %d columns, earlier lines have %d", name, line, len(fields), width)
		}
		if col < 1 || col >= len(fields) {
			return nil, fmt.Errorf("%s:%d: %d columns, no tag column %d (the word is column 0)", name, line, len(fields), opts.TagColumn)
		}
		tag := fields[col]
		if err := checkTag(tag); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if len(cur.Words) == 0 {
			cur.ID = fmt.Sprintf("%s:%d", name, line)
		}
		cur.Words = append(cur.Words, fields[0])
		cur.Tags = append(cur.Tags, tag)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line, err)
	}
	flush()
	return out, nil
}

func checkTag(tag string) error {
	if tag == "O" {
		return nil
	}
	if len(tag) > 2 && (tag[0] == 'B' || tag[0] == 'I') && tag[1] == '-' {
		return nil
	}
	return fmt.Errorf("tag %q is not O, B-TYPE or I-TYPE", tag)
}

// IOB1ToIOB2 rewrites IOB1 tags as IOB2 (returning a new slice): an I- tag
// that begins an entity, because it follows O, the sentence start or a tag of
// another type, becomes B-. IOB2 input comes back unchanged.
func IOB1ToIOB2(tags []string) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t
		if !strings.HasPrefix(t, "I-") {
			continue
		}
		if i == 0 || tagType(tags[i-1]) != t[2:] {
			out[i] = "B-" + t[2:]
		}
	}
	return out
}

// tagType is the type of a B-/I- tag, "" for O or anything malformed.
func tagType(tag string) string {
	if len(tag) > 2 && tag[1] == '-' {
		return tag[2:]
	}
	return ""
}
