package tokenizer

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unicode/utf8"
)

// Truncation strategies, as HuggingFace names them.
const (
	LongestFirst = "longest_first"
	OnlyFirst    = "only_first"
	OnlySecond   = "only_second"
)

// Padding strategies.
const (
	PadLongest   = "longest"    // to the longest encoding of the batch
	PadMaxLength = "max_length" // to Options.MaxLength
)

// Options control truncation, overflowing windows and padding. The zero
// value encodes everything, untruncated and unpadded.
type Options struct {
	MaxLength  int    // total length including [CLS]/[SEP]; 0 = no limit
	Truncation string // "", LongestFirst, OnlyFirst or OnlySecond
	// Stride is how many tokens each overflowing window repeats from the
	// end of the previous one.
	Stride            int
	ReturnOverflowing bool   // keep the cut-off tokens as Encoding.Overflowing windows
	Padding           string // "", PadLongest or PadMaxLength
}

func (o Options) validate() error {
	switch o.Truncation {
	case "", LongestFirst, OnlyFirst, OnlySecond:
	default:
		return fmt.Errorf("unknown truncation strategy %q (want %s, %s or %s)", o.Truncation, LongestFirst, OnlyFirst, OnlySecond)
	}
	switch o.Padding {
	case "", PadLongest, PadMaxLength:
	default:
		return fmt.Errorf("unknown padding strategy %q (want %s or %s)", o.Padding, PadLongest, PadMaxLength)
	}
	if o.MaxLength < 0 || o.Stride < 0 {
		return fmt.Errorf("max length and stride must not be negative")
	}
	if o.Truncation != "" && o.MaxLength == 0 {
		return fmt.Errorf("truncation %q needs a max length", o.Truncation)
	}
	if o.Padding == PadMaxLength && o.MaxLength == 0 {
		return fmt.Errorf("padding to max_length needs a max length")
	}
	return nil
}

// Encoding is one model input, laid out like HuggingFace's.
type Encoding struct {
	IDs               []int
	Tokens            []string
	TypeIDs           []int
	AttentionMask     []int
	SpecialTokensMask []int // 1 on the [CLS]/[SEP] the template adds, and on padding
	// SequenceIDs is 0 for tokens of the first text, 1 for the second, -1
	// for template and padding tokens.
	SequenceIDs []int
	// WordIDs is the index of the token's word within its sequence (see
	// PreTokenize), -1 for template and padding tokens.
	WordIDs []int
	// Offsets are [start, end) code point (Python str) indices into the
	// original text of the token's sequence; ByteOffsets the same spans in
	// bytes. Template and padding tokens have [0, 0].
	Offsets, ByteOffsets [][2]int
	// Overflowing holds the further windows when Options.ReturnOverflowing
	// is set and the input did not fit.
	Overflowing []Encoding
}

// Len is the number of tokens.
func (e *Encoding) Len() int { return len(e.IDs) }

// sequence is one text tokenized, before the template is applied.
type sequence struct {
	text   string
	pieces []piece
	words  []int
	cp     []int // code point index of each byte offset; nil when text is ASCII
}

// Encode tokenizes one text into [CLS] text [SEP].
func (t *Tokenizer) Encode(text string) (Encoding, error) {
	a, err := t.tokenize(text)
	if err != nil {
		return Encoding{}, err
	}
	return t.assemble(a, nil)
}

// EncodePair tokenizes a pair into [CLS] a [SEP] b [SEP]. As in
// HuggingFace's transformers, an empty b means "no pair": the result is
// Encode(a).
func (t *Tokenizer) EncodePair(a, b string) (Encoding, error) {
	if b == "" {
		return t.Encode(a)
	}
	sa, err := t.tokenize(a)
	if err != nil {
		return Encoding{}, fmt.Errorf("first text: %w", err)
	}
	sb, err := t.tokenize(b)
	if err != nil {
		return Encoding{}, fmt.Errorf("second text: %w", err)
	}
	return t.assemble(sa, sb)
}

// EncodeBatch encodes texts on all cores, then pads them together.
func (t *Tokenizer) EncodeBatch(texts []string) ([]Encoding, error) {
	return t.batch(len(texts), func(i int) (Encoding, error) {
		e, err := t.Encode(texts[i])
		if err != nil {
			err = fmt.Errorf("batch item %d: %w", i, err)
		}
		return e, err
	})
}

// EncodePairBatch encodes the pairs (a[i], b[i]) on all cores, then pads them together.
func (t *Tokenizer) EncodePairBatch(a, b []string) ([]Encoding, error) {
	if len(a) != len(b) {
		return nil, fmt.Errorf("pair batch: %d first texts but %d second texts", len(a), len(b))
	}
	return t.batch(len(a), func(i int) (Encoding, error) {
		e, err := t.EncodePair(a[i], b[i])
		if err != nil {
			err = fmt.Errorf("batch item %d: %w", i, err)
		}
		return e, err
	})
}

// batch runs encode for 0..n-1 on all cores and returns the first error.
func (t *Tokenizer) batch(n int, encode func(i int) (Encoding, error)) ([]Encoding, error) {
	out := make([]Encoding, n)
	errs := make([]error, n)
	workers := min(runtime.GOMAXPROCS(0), n)
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				// Hand out small chunks: texts differ a lot in length.
				next.Lock()
				lo := i
				i += 16
				next.Unlock()
				if lo >= n {
					return
				}
				for k := lo; k < min(lo+16, n); k++ {
					out[k], errs[k] = encode(k)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if t.opts.Padding == PadLongest {
		longest := 0
		for _, e := range out {
			longest = max(longest, e.Len())
		}
		for k := range out {
			t.padTo(&out[k], longest)
		}
	}
	return out, nil
}

// tokenize runs everything up to WordPiece on one text.
func (t *Tokenizer) tokenize(text string) (*sequence, error) {
	text, err := t.validUTF8(text)
	if err != nil {
		return nil, err
	}
	s := &sequence{text: text}
	var sc scratch
	word := 0
	t.walkWords(text, func(w []nchar, special int) {
		n := len(s.pieces)
		if special >= 0 {
			s.pieces = append(s.pieces, piece{special, w[0].start, w[0].end})
		} else {
			s.pieces = t.wordPiece(s.pieces, w, &sc)
		}
		for range len(s.pieces) - n {
			s.words = append(s.words, word)
		}
		word++
	})
	for i := 0; i < len(text); i++ {
		if text[i] >= utf8.RuneSelf {
			s.cp = codePointIndex(text)
			break
		}
	}
	return s, nil
}

// codePointIndex maps every byte offset of text (and len(text)) to the
// number of code points before it.
func codePointIndex(text string) []int {
	idx := make([]int, len(text)+1)
	n := 0
	for i := range text {
		idx[i] = n
		n++
	}
	idx[len(text)] = n
	// Fill the offsets inside multi-byte characters (never token boundaries).
	for i := 1; i < len(text); i++ {
		if !utf8.RuneStart(text[i]) {
			idx[i] = idx[i-1]
		}
	}
	return idx
}

func (s *sequence) codePoint(b int) int {
	if s.cp == nil {
		return b
	}
	return s.cp[b]
}

// window is a [start, stop) range of a sequence's pieces.
type window struct{ start, stop int }

var errTooShort = errors.New("the sequence to truncate is shorter than what must be removed")

// truncate decides the windows of each sequence, following tokenizers'
// truncate_encodings and Encoding::truncate.
func (t *Tokenizer) truncate(a, b *sequence) (wa, wb []window, err error) {
	na, nb := len(a.pieces), 0
	if b != nil {
		nb = len(b.pieces)
	}
	wa, wb = []window{{0, na}}, []window{{0, nb}}
	o := t.opts
	if o.Truncation == "" {
		return wa, wb, nil
	}
	added := 2
	if b != nil {
		added = 3
	}
	if o.MaxLength < added {
		return nil, nil, fmt.Errorf("max length %d leaves no room for the %d special tokens", o.MaxLength, added)
	}
	budget := o.MaxLength - added
	if budget == 0 {
		// Everything moves to one overflowing part (no windowing).
		wa = cut(na, o)
		if b != nil {
			wb = cut(nb, o)
		}
		return wa, wb, nil
	}
	if na+nb <= budget {
		return wa, wb, nil
	}
	remove := na + nb - budget
	switch {
	case o.Truncation == LongestFirst && b != nil:
		// The shorter side keeps everything if it fits in half the budget,
		// else both get half (the odd token to the longer; A counts as the
		// shorter on a tie).
		n1, n2, swap := na, nb, false
		if n1 > n2 {
			n1, n2, swap = n2, n1, true
		}
		if n1 > budget {
			n2 = n1
		} else {
			n2 = max(n1, budget-n1)
		}
		if n1+n2 > budget {
			n1 = budget / 2
			n2 = n1 + budget%2
		}
		if swap {
			n1, n2 = n2, n1
		}
		if wa, err = window1(na, n1, o); err != nil {
			return nil, nil, err
		}
		if wb, err = window1(nb, n2, o); err != nil {
			return nil, nil, err
		}
	case o.Truncation == LongestFirst || o.Truncation == OnlyFirst:
		if na <= remove {
			return nil, nil, errTooShort
		}
		wa, err = window1(na, na-remove, o)
	case o.Truncation == OnlySecond:
		if b == nil {
			return nil, nil, fmt.Errorf("truncation %s needs a pair of texts", OnlySecond)
		}
		if nb <= remove {
			return nil, nil, errTooShort
		}
		wb, err = window1(nb, nb-remove, o)
	}
	return wa, wb, err
}

// window1 is Encoding::truncate: the first window keeps maxLen tokens; with
// overflow, each next window starts Stride tokens before the previous one's
// end, until the sequence is used up.
func window1(n, maxLen int, o Options) ([]window, error) {
	if maxLen >= n {
		return []window{{0, n}}, nil
	}
	if maxLen == 0 {
		return cut(n, o), nil
	}
	if !o.ReturnOverflowing {
		return []window{{0, maxLen}}, nil
	}
	if o.Stride >= maxLen {
		return nil, fmt.Errorf("stride %d must be less than the %d tokens left for the text", o.Stride, maxLen)
	}
	var ws []window
	for start := 0; ; start += maxLen - o.Stride {
		stop := min(start+maxLen, n)
		ws = append(ws, window{start, stop})
		if stop == n {
			return ws, nil
		}
	}
}

// cut truncates to zero tokens: the whole sequence overflows as one part.
func cut(n int, o Options) []window {
	if o.ReturnOverflowing && n > 0 {
		return []window{{0, 0}, {0, n}}
	}
	return []window{{0, 0}}
}

// assemble truncates, applies the template to every window combination in
// tokenizers' order, and pads.
func (t *Tokenizer) assemble(a, b *sequence) (Encoding, error) {
	wa, wb, err := t.truncate(a, b)
	if err != nil {
		return Encoding{}, err
	}
	type combo struct{ a, b window }
	combos := []combo{{wa[0], wb[0]}}
	// Encoding::merge_with: each overflowing part of A with B's first window
	// and then with B's other windows; then A's first window with B's others.
	for _, x := range wa[1:] {
		combos = append(combos, combo{x, wb[0]})
		if b != nil {
			for _, y := range wb[1:] {
				combos = append(combos, combo{x, y})
			}
		}
	}
	if b != nil {
		for _, y := range wb[1:] {
			combos = append(combos, combo{wa[0], y})
		}
	}
	encs := make([]Encoding, len(combos))
	for i, c := range combos {
		encs[i] = t.template(a, c.a, b, c.b)
		if t.opts.Padding == PadMaxLength {
			t.padTo(&encs[i], t.opts.MaxLength)
		}
	}
	e := encs[0]
	if len(encs) > 1 {
		e.Overflowing = encs[1:]
	}
	return e, nil
}

// template builds [CLS] A [SEP] (B [SEP]) with type ids 0 for the first
// part and 1 for B and its [SEP].
func (t *Tokenizer) template(a *sequence, wa window, b *sequence, wb window) Encoding {
	n := wa.stop - wa.start + 2
	if b != nil {
		n += wb.stop - wb.start + 1
	}
	e := Encoding{
		IDs: make([]int, 0, n), Tokens: make([]string, 0, n), TypeIDs: make([]int, 0, n),
		AttentionMask: make([]int, 0, n), SpecialTokensMask: make([]int, 0, n), SequenceIDs: make([]int, 0, n),
		WordIDs: make([]int, 0, n), Offsets: make([][2]int, 0, n), ByteOffsets: make([][2]int, 0, n),
	}
	special := func(id, typeID int) {
		e.IDs = append(e.IDs, id)
		e.Tokens = append(e.Tokens, t.vocab.tokens[id])
		e.TypeIDs = append(e.TypeIDs, typeID)
		e.AttentionMask = append(e.AttentionMask, 1)
		e.SpecialTokensMask = append(e.SpecialTokensMask, 1)
		e.SequenceIDs = append(e.SequenceIDs, -1)
		e.WordIDs = append(e.WordIDs, -1)
		e.Offsets = append(e.Offsets, [2]int{})
		e.ByteOffsets = append(e.ByteOffsets, [2]int{})
	}
	seq := func(s *sequence, w window, seqID int) {
		for i := w.start; i < w.stop; i++ {
			p := s.pieces[i]
			e.IDs = append(e.IDs, p.id)
			e.Tokens = append(e.Tokens, t.vocab.tokens[p.id])
			e.TypeIDs = append(e.TypeIDs, seqID)
			e.AttentionMask = append(e.AttentionMask, 1)
			e.SpecialTokensMask = append(e.SpecialTokensMask, 0)
			e.SequenceIDs = append(e.SequenceIDs, seqID)
			e.WordIDs = append(e.WordIDs, s.words[i])
			e.Offsets = append(e.Offsets, [2]int{s.codePoint(p.start), s.codePoint(p.end)})
			e.ByteOffsets = append(e.ByteOffsets, [2]int{p.start, p.end})
		}
	}
	special(t.cls, 0)
	seq(a, wa, 0)
	special(t.sep, 0)
	if b != nil {
		seq(b, wb, 1)
		special(t.sep, 1)
	}
	return e
}

// pad appends [PAD] tokens (attention 0, special 1) up to length n, also to
// the overflowing windows, as tokenizers' Encoding::pad does.
func (t *Tokenizer) padTo(e *Encoding, n int) {
	for k := range e.Overflowing {
		t.padTo(&e.Overflowing[k], n)
	}
	for e.Len() < n {
		e.IDs = append(e.IDs, t.padID)
		e.Tokens = append(e.Tokens, t.vocab.tokens[t.padID])
		e.TypeIDs = append(e.TypeIDs, 0)
		e.AttentionMask = append(e.AttentionMask, 0)
		e.SpecialTokensMask = append(e.SpecialTokensMask, 1)
		e.SequenceIDs = append(e.SequenceIDs, -1)
		e.WordIDs = append(e.WordIDs, -1)
		e.Offsets = append(e.Offsets, [2]int{})
		e.ByteOffsets = append(e.ByteOffsets, [2]int{})
	}
}
