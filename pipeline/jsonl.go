package pipeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// InputError is a failure of one input of a batch; Index is its position in
// the slice the task method was given.
type InputError struct {
	Index int
	Err   error
}

func (e *InputError) Error() string { return fmt.Sprintf("input %d: %v", e.Index, e.Err) }
func (e *InputError) Unwrap() error { return e.Err }

// ProcessJSONL reads one JSON value per line of r (blank lines are skipped),
// hands them to fn chunk values at a time, and writes fn's results to w, one
// JSON line per input line, in order. A malformed line, or an InputError
// from fn, is reported as "name:LINE: ...".
func ProcessJSONL[In, Out any](r io.Reader, name string, w io.Writer, chunk int, fn func([]In) ([]Out, error)) error {
	if chunk <= 0 {
		chunk = 256
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<30)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var (
		batch []In
		lines []int
		n     int
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		outs, err := fn(batch)
		if err != nil {
			var ie *InputError
			if errors.As(err, &ie) && ie.Index >= 0 && ie.Index < len(lines) {
				return fmt.Errorf("%s:%d: %w", name, lines[ie.Index], ie.Err)
			}
			return fmt.Errorf("%s: lines %d-%d: %w", name, lines[0], lines[len(lines)-1], err)
		}
		if len(outs) != len(batch) {
			return fmt.Errorf("%s: %d results for %d inputs", name, len(outs), len(batch))
		}
		for _, o := range outs {
			if err := enc.Encode(o); err != nil {
				return err
			}
		}
		batch, lines = batch[:0], lines[:0]
		return nil
	}
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var v In
		if err := json.Unmarshal(line, &v); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
		batch, lines = append(batch, v), append(lines, n)
		if len(batch) == chunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := flush(); err != nil {
		return err
	}
	return bw.Flush()
}

// ProcessJSONLFiles is ProcessJSONL from the file in ("" or "-": stdin) to
// the file out ("" or "-": stdout).
func ProcessJSONLFiles[In, Out any](in, out string, chunk int, fn func([]In) ([]Out, error)) (err error) {
	r, name, err := Input(in)
	if err != nil {
		return err
	}
	defer r.Close()
	w, err := Output(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}()
	return ProcessJSONL(r, name, w, chunk, fn)
}

// Input opens path for reading ("" or "-": stdin) and returns the name
// errors give it.
func Input(path string) (io.ReadCloser, string, error) {
	if path == "" || path == "-" {
		return io.NopCloser(os.Stdin), "stdin", nil
	}
	f, err := os.Open(path)
	return f, path, err
}

// Output creates path for writing ("" or "-": stdout, which Close leaves open).
func Output(path string) (io.WriteCloser, error) {
	if path == "" || path == "-" {
		return nopWriteCloser{os.Stdout}, nil
	}
	return os.Create(path)
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// TextInput is a JSON Lines input line {"text": ...}; a bare JSON string is
// accepted too.
type TextInput struct {
	Text string `json:"text"`
}

// UnmarshalJSON requires the "text" field.
func (in *TextInput) UnmarshalJSON(data []byte) error {
	var s string
	if json.Unmarshal(data, &s) == nil {
		in.Text = s
		return nil
	}
	var obj struct {
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	if obj.Text == nil {
		return errors.New(`no "text" field`)
	}
	in.Text = *obj.Text
	return nil
}

// Texts returns the inputs' texts.
func Texts(in []TextInput) []string {
	out := make([]string, len(in))
	for i, t := range in {
		out[i] = t.Text
	}
	return out
}
