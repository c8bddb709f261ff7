package pretrain

import (
	"fmt"
	"math/rand/v2"
)

// IgnoreLabel marks a label that no loss should use: the sentence label of a
// single-segment (no NSP) instance, and in Batch.MLMLabels every position
// that is not predicted. It is the ignore_index of PyTorch's cross entropy,
// which HuggingFace models use.
const IgnoreLabel = -100

// Objective is the sentence-level task paired with masked LM.
type Objective int

const (
	// NSP is BERT's next-sentence prediction: segment B follows A in the
	// document (label 0) or was taken from another document (label 1).
	NSP Objective = iota
	// SOP is ALBERT's sentence-order prediction: A and B are consecutive
	// segments of one document, swapped with probability 0.5 (label 1 =
	// swapped).
	SOP
	// NoSentenceObjective is RoBERTa's masked-LM-only setup: one segment of
	// contiguous sentences filling the sequence, label IgnoreLabel.
	NoSentenceObjective
)

func (o Objective) String() string {
	switch o {
	case NSP:
		return "nsp"
	case SOP:
		return "sop"
	case NoSentenceObjective:
		return "none"
	}
	return fmt.Sprintf("Objective(%d)", int(o))
}

// ParseObjective is the inverse of String.
func ParseObjective(s string) (Objective, error) {
	for _, o := range []Objective{NSP, SOP, NoSentenceObjective} {
		if o.String() == s {
			return o, nil
		}
	}
	return 0, fmt.Errorf("pretrain: unknown objective %q (want nsp, sop or none)", s)
}

// Options are create_pretraining_data.py's flags, plus the objective and the
// masking mode. Field tags name the shard header's JSON keys.
type Options struct {
	MaxSeqLength         int       `json:"max_seq_length"`          // total tokens including [CLS] and [SEP]s
	ShortSeqProb         float64   `json:"short_seq_prob"`          // probability of a shorter random target length
	MaskedLMProb         float64   `json:"masked_lm_prob"`          // fraction of tokens to predict
	MaxPredictionsPerSeq int       `json:"max_predictions_per_seq"` // cap on predicted tokens
	DupeFactor           int       `json:"dupe_factor"`             // times each document is turned into instances
	WholeWordMask        bool      `json:"whole_word_mask"`         // mask all pieces of a word together
	Objective            Objective `json:"objective"`
	// StaticMasking masks instances once at creation, as Google's script
	// does (use DupeFactor > 1 to get several masks of the same text). Off,
	// the default, instances are stored unmasked and a Masker masks them
	// afresh each time they are served (RoBERTa's dynamic masking).
	StaticMasking bool `json:"static_masking"`
}

// DefaultOptions are BERT-base's phase-1 settings with dynamic masking:
// 128 tokens, 20 predictions, short_seq_prob 0.1, masked_lm_prob 0.15, NSP,
// dupe factor 1 (Google's default of 10 exists to vary static masks).
func DefaultOptions() Options {
	return Options{MaxSeqLength: 128, ShortSeqProb: 0.1, MaskedLMProb: 0.15, MaxPredictionsPerSeq: 20, DupeFactor: 1}
}

// Validate reports the first unusable setting.
func (o Options) Validate() error {
	switch {
	case o.MaxSeqLength < 5:
		return fmt.Errorf("pretrain: max_seq_length %d is too small (need at least 5: [CLS] a [SEP] b [SEP])", o.MaxSeqLength)
	case o.ShortSeqProb < 0 || o.ShortSeqProb > 1:
		return fmt.Errorf("pretrain: short_seq_prob %v is not in [0,1]", o.ShortSeqProb)
	case o.MaskedLMProb <= 0 || o.MaskedLMProb >= 1:
		return fmt.Errorf("pretrain: masked_lm_prob %v is not in (0,1)", o.MaskedLMProb)
	case o.MaxPredictionsPerSeq < 1:
		return fmt.Errorf("pretrain: max_predictions_per_seq %d must be at least 1", o.MaxPredictionsPerSeq)
	case o.DupeFactor < 1:
		return fmt.Errorf("pretrain: dupe_factor %d must be at least 1", o.DupeFactor)
	case o.Objective != NSP && o.Objective != SOP && o.Objective != NoSentenceObjective:
		return fmt.Errorf("pretrain: unknown objective %d", int(o.Objective))
	}
	return nil
}

// Instance is one training sequence: [CLS] A [SEP] B [SEP] (or [CLS] A
// [SEP] without a sentence objective).
type Instance struct {
	Tokens []int
	// SegmentA is the number of leading tokens with segment id 0
	// ([CLS] A [SEP]); the rest have segment id 1.
	SegmentA int
	// Label is the sentence label: for NSP 1 means B is random (Google's
	// is_random_next), for SOP 1 means swapped, otherwise IgnoreLabel.
	Label int
	// MaskedPositions (ascending) and MaskedLabels (the original ids) are
	// set once the instance is masked; Tokens then holds the masked input.
	MaskedPositions []int
	MaskedLabels    []int
}

// SegmentIDs expands SegmentA to one segment id per token.
func (in Instance) SegmentIDs() []int {
	ids := make([]int, len(in.Tokens))
	for i := in.SegmentA; i < len(ids); i++ {
		ids[i] = 1
	}
	return ids
}

// Creator turns tokenized documents into instances.
type Creator struct {
	opts   Options
	sp     Specials
	masker *Masker
}

// NewCreator checks opts and looks up the special tokens in v.
func NewCreator(v Vocab, opts Options) (*Creator, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	m, err := NewMasker(v, opts)
	if err != nil {
		return nil, err
	}
	return &Creator{opts: opts, sp: m.sp, masker: m}, nil
}

// Options are the creator's settings.
func (c *Creator) Options() Options { return c.opts }

// Create is create_training_instances without the file reading: documents
// (sentences of token ids; empty documents are skipped) are shuffled,
// each is turned into instances DupeFactor times, and all instances are
// shuffled. docs itself is not reordered. For a corpus larger than memory
// call Create on bounded chunks of documents (see Prepare): the random
// segment B of NSP then comes from the same chunk.
func (c *Creator) Create(docs [][][]int, rng *rand.Rand) []Instance {
	all := make([][][]int, 0, len(docs))
	for _, d := range docs {
		if len(d) > 0 {
			all = append(all, d)
		}
	}
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	var out []Instance
	for range c.opts.DupeFactor {
		for i := range all {
			out = append(out, c.FromDocument(all, i, rng)...)
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// FromDocument is create_instances_from_document: it packs the sentences of
// docs[index] into instances. Other documents are used only as the source of
// random next segments for NSP. Sentences must be non-empty (DocumentIDs
// drops empty ones).
func (c *Creator) FromDocument(docs [][][]int, index int, rng *rand.Rand) []Instance {
	if c.opts.Objective == NoSentenceObjective {
		return c.singleSegment(docs[index], rng)
	}
	document := docs[index]
	// Account for [CLS], [SEP], [SEP].
	maxNumTokens := c.opts.MaxSeqLength - 3
	// Google: "We *usually* want to fill up the entire sequence since we
	// are padding to max_seq_length anyways, so short sequences are
	// generally wasted computation. However, we *sometimes* (i.e.,
	// short_seq_prob == 0.1 == 10% of the time) want to use shorter
	// sequences to minimize the mismatch between pre-training and
	// fine-tuning." As in the script, the target is drawn once per document.
	target := c.targetLength(maxNumTokens, rng)

	var instances []Instance
	var chunk [][]int
	length := 0
	for i := 0; i < len(document); i++ {
		chunk = append(chunk, document[i])
		length += len(document[i])
		if i != len(document)-1 && length < target {
			continue
		}
		// `a_end` is how many segments from the chunk go into A.
		aEnd := 1
		if len(chunk) >= 2 {
			aEnd = 1 + rng.IntN(len(chunk)-1) // randint(1, len(chunk)-1)
		}
		a := concat(chunk[:aEnd])
		var b []int
		label := 0
		switch {
		case c.opts.Objective == SOP:
			if len(chunk) == 1 {
				// ALBERT's script falls back to a random document here,
				// which is NSP, not SOP. Instead, cut the lone segment at
				// a random point so that A and B stay consecutive text of
				// this document; a one-token segment makes no pair.
				if len(a) < 2 {
					break
				}
				cut := 1 + rng.IntN(len(a)-1)
				a, b = a[:cut], a[cut:]
			} else {
				b = concat(chunk[aEnd:])
			}
			if rng.Float64() < 0.5 {
				a, b = b, a
				label = 1
			}
		case len(chunk) == 1 || rng.Float64() < 0.5:
			// Random next.
			label = 1
			targetB := target - len(a)
			// Google retries up to 10 times to avoid the current document;
			// drawing among the other documents directly always succeeds
			// with the same (uniform) distribution. With a single document
			// there is no other, and, as in the script, it is used itself.
			r := index
			if len(docs) > 1 {
				r = rng.IntN(len(docs) - 1)
				if r >= index {
					r++
				}
			}
			random := docs[r]
			for j := rng.IntN(len(random)); j < len(random); j++ {
				b = append(b, random[j]...)
				if len(b) >= targetB {
					break
				}
			}
			// "We didn't actually use these segments so we 'put them
			// back' so they don't go to waste."
			i -= len(chunk) - aEnd
		default:
			b = concat(chunk[aEnd:])
		}
		if len(b) > 0 {
			a, b = truncateSeqPair(a, b, maxNumTokens, rng)
			instances = append(instances, c.finish(a, b, label, rng))
		}
		chunk, length = nil, 0
	}
	return instances
}

// singleSegment packs contiguous sentences into one segment (RoBERTa's
// DOC-SENTENCES without NSP): sentences are added until the target length is
// reached, an instance never crosses the document end, and a sentence that
// would overflow the sequence starts the next instance instead. A single
// sentence longer than the sequence is cut at the end.
func (c *Creator) singleSegment(document [][]int, rng *rand.Rand) []Instance {
	maxNumTokens := c.opts.MaxSeqLength - 2 // [CLS], [SEP]
	target := c.targetLength(maxNumTokens, rng)
	var instances []Instance
	var cur []int
	flush := func() {
		if len(cur) == 0 {
			return
		}
		if len(cur) > maxNumTokens {
			cur = cur[:maxNumTokens]
		}
		instances = append(instances, c.finish(cur, nil, IgnoreLabel, rng))
		cur = nil
	}
	for _, sent := range document {
		if len(cur) > 0 && len(cur)+len(sent) > maxNumTokens {
			flush()
		}
		cur = append(cur, sent...)
		if len(cur) >= target {
			flush()
		}
	}
	flush()
	return instances
}

func (c *Creator) targetLength(maxNumTokens int, rng *rand.Rand) int {
	if rng.Float64() < c.opts.ShortSeqProb {
		return 2 + rng.IntN(maxNumTokens-1) // randint(2, max_num_tokens)
	}
	return maxNumTokens
}

// finish lays out [CLS] a [SEP] (b [SEP]) and masks it when masking is
// static.
func (c *Creator) finish(a, b []int, label int, rng *rand.Rand) Instance {
	tokens := make([]int, 0, len(a)+len(b)+3)
	tokens = append(tokens, c.sp.CLS)
	tokens = append(tokens, a...)
	tokens = append(tokens, c.sp.SEP)
	segA := len(tokens)
	if b != nil {
		tokens = append(tokens, b...)
		tokens = append(tokens, c.sp.SEP)
	}
	in := Instance{Tokens: tokens, SegmentA: segA, Label: label}
	if c.opts.StaticMasking {
		in = c.masker.Apply(in, rng)
	}
	return in
}

// truncateSeqPair is truncate_seq_pair: while the pair is too long, drop one
// token from the longer side (B on a tie), from the front or the back with
// equal probability. "We want to sometimes truncate from the front and
// sometimes from the back to add more randomness and avoid biases."
func truncateSeqPair(a, b []int, maxNumTokens int, rng *rand.Rand) ([]int, []int) {
	for len(a)+len(b) > maxNumTokens {
		trunc := &b
		if len(a) > len(b) {
			trunc = &a
		}
		if rng.Float64() < 0.5 {
			*trunc = (*trunc)[1:]
		} else {
			*trunc = (*trunc)[:len(*trunc)-1]
		}
	}
	return a, b
}

func concat(segs [][]int) []int {
	n := 0
	for _, s := range segs {
		n += len(s)
	}
	out := make([]int, 0, n)
	for _, s := range segs {
		out = append(out, s...)
	}
	return out
}
