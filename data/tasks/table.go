package tasks

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// TextExample is one example of a sequence or sentence-pair classification
// (or regression) task.
type TextExample struct {
	ID    string // "<file>:<line>" where the example was read
	TextA string // the sentence, or the first of a pair
	TextB string // the second sentence of a pair; "" for single-sentence tasks
	Label string // the label as written in the file ("1", "entailment", "3.8"); "" if the file has none
}

// Format is the layout of a classification file.
type Format int

const (
	// FormatAuto picks the format from the file name: .csv is CSV, .jsonl,
	// .ndjson and .json are JSON Lines, anything else is TSV.
	FormatAuto Format = iota
	// FormatTSV is GLUE's layout: fields separated by tabs, no quoting (a "
	// is an ordinary character, as GLUE's readers use quotechar=None).
	FormatTSV
	// FormatCSV is RFC 4180 CSV with quoted fields (encoding/csv).
	FormatCSV
	// FormatJSONL is one JSON object per line.
	FormatJSONL
)

// Columns names the fields that hold the texts and the label: header names
// in TSV/CSV files, keys in JSON Lines. An empty TextA means "detect": the
// first known layout found in the header (or the first JSON object) is used,
// in the order of KnownTextColumns. An empty Label means "label", then
// "gold_label", then "score", and no label at all if none is present (test
// files).
type Columns struct {
	TextA string
	TextB string
	Label string
}

// KnownTextColumns are the text column layouts detected when
// Columns.TextA is empty, pairs first so that a pair file is never read as a
// single-sentence one: GLUE's MRPC/RTE/WNLI/STS-B/MNLI, QNLI, QQP, SNLI-style
// premise/hypothesis, the text_a/text_b of many converted files, then
// single-sentence SST-2/CoLA and plain text.
var KnownTextColumns = [][2]string{
	{"sentence1", "sentence2"},
	{"question", "sentence"},
	{"question1", "question2"},
	{"premise", "hypothesis"},
	{"text_a", "text_b"},
	{"sentence", ""},
	{"text", ""},
	{"text_a", ""},
}

// knownLabelColumns are tried in order when Columns.Label is empty.
var knownLabelColumns = []string{"label", "gold_label", "score"}

// ColumnIndex selects fields by 0-based position, for files without a header
// row (GLUE's CoLA, for instance: label in column 1, sentence in column 3).
// TextB and Label are -1 when absent.
type ColumnIndex struct {
	TextA, TextB, Label int
}

// TableOptions configures ReadTable. The zero value reads a TSV, CSV or JSON
// Lines file with a header and detects the columns.
type TableOptions struct {
	Format  Format
	Columns Columns
	// Index, when set, means the file has no header row and fields are picked
	// by position (TSV and CSV only).
	Index *ColumnIndex
}

// ReadTable reads a classification file; see ParseTable.
func ReadTable(path string, opts TableOptions) ([]TextExample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseTable(f, path, opts)
}

// ParseTable reads classification examples from r. name is used in example
// IDs and errors, and to choose the format when opts.Format is FormatAuto.
// Texts are kept byte for byte (GLUE's SST-2 sentences end in a space; the
// tokenizer deals with white space).
func ParseTable(r io.Reader, name string, opts TableOptions) ([]TextExample, error) {
	format := opts.Format
	if format == FormatAuto {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			format = FormatCSV
		case ".jsonl", ".ndjson", ".json":
			format = FormatJSONL
		default:
			format = FormatTSV
		}
	}
	switch format {
	case FormatTSV:
		return parseDelimited(newTSVRows(r), name, opts)
	case FormatCSV:
		return parseDelimited(newCSVRows(r), name, opts)
	case FormatJSONL:
		if opts.Index != nil {
			return nil, fmt.Errorf("%s: column indexes do not apply to JSON Lines; name the keys in Columns", name)
		}
		return parseJSONL(r, name, opts.Columns)
	}
	return nil, fmt.Errorf("%s: unknown format %d", name, format)
}

// rows yields the records of a delimited file with their 1-based line numbers.
type rows interface {
	next() (fields []string, line int, err error) // io.EOF at the end
}

// tsvRows splits lines on tabs without any quoting rules.
type tsvRows struct {
	sc   *bufio.Scanner
	line int
}

func newTSVRows(r io.Reader) *tsvRows {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024) // some QNLI/MNLI rows are long
	return &tsvRows{sc: sc}
}

func (t *tsvRows) next() ([]string, int, error) {
	for t.sc.Scan() {
		t.line++
		s := strings.TrimSuffix(t.sc.Text(), "\r")
		if t.line == 1 {
			s = strings.TrimPrefix(s, "\ufeff") // a BOM would hide the first header name
		}
		if strings.TrimSpace(s) == "" {
			continue
		}
		return strings.Split(s, "\t"), t.line, nil
	}
	if err := t.sc.Err(); err != nil {
		return nil, t.line, err
	}
	return nil, t.line, io.EOF
}

type csvRows struct{ r *csv.Reader }

func newCSVRows(r io.Reader) *csvRows {
	cr := csv.NewReader(skipBOM(r))
	cr.FieldsPerRecord = -1 // checked against the needed columns instead
	return &csvRows{cr}
}

func (c *csvRows) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, pe.Err
		}
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}

func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\ufeff")) {
		br.Discard(3)
	}
	return br
}

func parseDelimited(rs rows, name string, opts TableOptions) ([]TextExample, error) {
	idx := ColumnIndex{TextA: -1, TextB: -1, Label: -1}
	if opts.Index != nil {
		idx = *opts.Index
		if idx.TextA < 0 {
			return nil, fmt.Errorf("%s: ColumnIndex.TextA must be a column index, got %d", name, idx.TextA)
		}
	} else {
		header, line, err := rs.next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s: empty file, expected a header row", name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		idx, err = resolveColumns(header, opts.Columns)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
	}
	need := max(idx.TextA, idx.TextB, idx.Label) + 1

	var out []TextExample
	for {
		fields, line, err := rs.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		if len(fields) < need {
			return nil, fmt.Errorf("%s:%d: %d fields, need at least %d", name, line, len(fields), need)
		}
		ex := TextExample{ID: fmt.Sprintf("%s:%d", name, line), TextA: fields[idx.TextA]}
		if idx.TextB >= 0 {
			ex.TextB = fields[idx.TextB]
		}
		if idx.Label >= 0 {
			ex.Label = strings.TrimSpace(fields[idx.Label])
			if ex.Label == "" {
				return nil, fmt.Errorf("%s:%d: empty label", name, line)
			}
		}
		out = append(out, ex)
	}
}

// resolveColumns finds the named (or detected) columns in a header row.
func resolveColumns(header []string, c Columns) (ColumnIndex, error) {
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	find := func(n string) int { return slices.Index(header, n) }
	idx := ColumnIndex{TextA: -1, TextB: -1, Label: -1}

	a, b, err := pickTextColumns(c, func(n string) bool { return find(n) >= 0 })
	if err != nil {
		return idx, fmt.Errorf("%w in header %q", err, header)
	}
	idx.TextA = find(a)
	if b != "" {
		idx.TextB = find(b)
	}
	label, err := pickLabelColumn(c, func(n string) bool { return find(n) >= 0 })
	if err != nil {
		return idx, fmt.Errorf("%w in header %q", err, header)
	}
	if label != "" {
		idx.Label = find(label)
	}
	return idx, nil
}

// pickTextColumns returns the names of the text fields: the configured ones,
// which must exist, or the first known layout that does.
func pickTextColumns(c Columns, has func(string) bool) (string, string, error) {
	if c.TextA != "" {
		for _, n := range []string{c.TextA, c.TextB} {
			if n != "" && !has(n) {
				return "", "", fmt.Errorf("no column %q", n)
			}
		}
		return c.TextA, c.TextB, nil
	}
	if c.TextB != "" {
		return "", "", fmt.Errorf("Columns.TextB %q given without TextA", c.TextB)
	}
	for _, k := range KnownTextColumns {
		if has(k[0]) && (k[1] == "" || has(k[1])) {
			return k[0], k[1], nil
		}
	}
	return "", "", errors.New("no known text column (sentence, sentence1/sentence2, question/sentence, text, ...); name it in Columns.TextA")
}

// pickLabelColumn returns the configured label field (which must exist) or
// the first known one present, or "" for an unlabelled file.
func pickLabelColumn(c Columns, has func(string) bool) (string, error) {
	if c.Label != "" {
		if !has(c.Label) {
			return "", fmt.Errorf("no label column %q", c.Label)
		}
		return c.Label, nil
	}
	for _, n := range knownLabelColumns {
		if has(n) {
			return n, nil
		}
	}
	return "", nil
}

// parseJSONL reads one object per line. The fields are chosen from the first
// object and then required in every line, so a typo in one line is reported
// rather than read as an empty text.
func parseJSONL(r io.Reader, name string, c Columns) ([]TextExample, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 64*1024*1024)
	var out []TextExample
	var a, b, label string
	line := 0
	for sc.Scan() {
		line++
		raw := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
		}
		if len(raw) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		has := func(n string) bool { _, ok := obj[n]; return ok }
		if out == nil {
			var err error
			if a, b, err = pickTextColumns(c, has); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
			if label, err = pickLabelColumn(c, has); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, line, err)
			}
		}
		ex := TextExample{ID: fmt.Sprintf("%s:%d", name, line)}
		var err error
		if ex.TextA, err = jsonText(obj, a); err == nil && b != "" {
			ex.TextB, err = jsonText(obj, b)
		}
		if err == nil && label != "" {
			ex.Label, err = jsonLabel(obj, label)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line, err)
	}
	return out, nil
}

func jsonText(obj map[string]json.RawMessage, key string) (string, error) {
	raw, ok := obj[key]
	if !ok {
		return "", fmt.Errorf("no %q field", key)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("field %q: want a string, got %s", key, raw)
	}
	return s, nil
}

// jsonLabel accepts a label written as a string ("positive", "1") or a number
// (1, 0.5). A number is kept as its literal text, so 1 and "1" are the same
// label. null means unlabelled.
func jsonLabel(obj map[string]json.RawMessage, key string) (string, error) {
	raw, ok := obj[key]
	if !ok {
		return "", fmt.Errorf("no %q field", key)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("field %q: %w", key, err)
	}
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		s := strings.TrimSpace(v)
		if s == "" {
			return "", fmt.Errorf("field %q: empty label", key)
		}
		return s, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return fmt.Sprint(v), nil
	}
	return "", fmt.Errorf("field %q: want a string or number label, got %s", key, raw)
}
