package tokenizer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"unicode/utf8"
)

// Record is the JSON form of an Encoding, laid out like HuggingFace's
// outputs and the conformance files: sequence_ids is null on template and
// padding tokens. With overflow requested, Windows holds every window
// (the first is the encoding itself) and the top-level fields are empty.
type Record struct {
	IDs               []int    `json:"ids,omitempty"`
	Tokens            []string `json:"tokens,omitempty"`
	TypeIDs           []int    `json:"token_type_ids,omitempty"`
	AttentionMask     []int    `json:"attention_mask,omitempty"`
	SpecialTokensMask []int    `json:"special_tokens_mask,omitempty"`
	SequenceIDs       []*int   `json:"sequence_ids,omitempty"`
	Offsets           [][2]int `json:"offsets,omitempty"`
	ByteOffsets       [][2]int `json:"byte_offsets,omitempty"`
	Windows           []Record `json:"windows,omitempty"`
}

// NewRecord converts an encoding; withWindows puts it and its overflowing
// windows in Windows.
func NewRecord(e Encoding, withWindows bool) Record {
	if withWindows {
		r := Record{Windows: []Record{NewRecord(e, false)}}
		for _, o := range e.Overflowing {
			r.Windows = append(r.Windows, NewRecord(o, false))
		}
		return r
	}
	seq := make([]*int, len(e.SequenceIDs))
	for i := range e.SequenceIDs {
		if e.SequenceIDs[i] >= 0 {
			seq[i] = &e.SequenceIDs[i]
		}
	}
	return Record{
		IDs: e.IDs, Tokens: e.Tokens, TypeIDs: e.TypeIDs, AttentionMask: e.AttentionMask,
		SpecialTokensMask: e.SpecialTokensMask, SequenceIDs: seq, Offsets: e.Offsets, ByteOffsets: e.ByteOffsets,
	}
}

// input is one JSON Lines request: {"text": ...} or {"text_a": ..., "text_b": ...}.
type input struct {
	Text  *string `json:"text"`
	TextA *string `json:"text_a"`
	TextB *string `json:"text_b"`
}

// EncodeJSONL reads JSON Lines requests from r (name is used in errors),
// encodes them batchSize at a time on all cores, and writes one Record per
// line to w. Padding to the longest applies within each batch.
func (t *Tokenizer) EncodeJSONL(r io.Reader, name string, w io.Writer, batchSize int) error {
	if batchSize <= 0 {
		batchSize = 256
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 256<<20)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var batch []input
	var lines []int
	flush := func() error {
		out, err := t.batch(len(batch), func(i int) (Encoding, error) {
			in := batch[i]
			var e Encoding
			var err error
			if in.Text != nil {
				e, err = t.Encode(*in.Text)
			} else {
				e, err = t.EncodePair(*in.TextA, *in.TextB)
			}
			if err != nil {
				err = fmt.Errorf("%s:%d: %w", name, lines[i], err)
			}
			return e, err
		})
		if err != nil {
			return err
		}
		for _, e := range out {
			if err := enc.Encode(NewRecord(e, t.opts.ReturnOverflowing)); err != nil {
				return err
			}
		}
		batch, lines = batch[:0], lines[:0]
		return nil
	}
	for line := 1; sc.Scan(); line++ {
		raw := sc.Bytes()
		if len(raw) == 0 {
			continue
		}
		// encoding/json would silently turn invalid UTF-8 into U+FFFD (one
		// per byte): check first, and replace the Python way if asked to.
		if !utf8.Valid(raw) {
			if !t.cfg.ReplaceInvalidUTF8 {
				return fmt.Errorf("%s:%d: invalid UTF-8 at byte %d of the line", name, line, invalidAt(raw))
			}
			raw = []byte(ReplaceInvalidUTF8(string(raw)))
		}
		var in input
		if err := json.Unmarshal(raw, &in); err != nil {
			return fmt.Errorf("%s:%d: %w", name, line, err)
		}
		switch {
		case in.Text != nil && in.TextA == nil && in.TextB == nil:
		case in.Text == nil && in.TextA != nil && in.TextB != nil:
		default:
			return fmt.Errorf("%s:%d: want {\"text\": ...} or {\"text_a\": ..., \"text_b\": ...}", name, line)
		}
		batch = append(batch, in)
		lines = append(lines, line)
		if len(batch) == batchSize {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}

// invalidAt is the offset of the first invalid UTF-8 byte in b.
func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}
