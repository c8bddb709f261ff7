package pretrain

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
)

// ReaderOptions configure a Reader.
type ReaderOptions struct {
	// Seed drives shard order, record order and dynamic masking.
	Seed uint64
	// Epochs is how many passes Next makes before io.EOF; 0 means forever.
	Epochs int
}

// Position is a Reader's exact place in its stream. It is plain data
// (encoding/json round-trips it); Reader.Seek resumes from it and yields the
// same instances, masks included, that the saved reader would have.
type Position struct {
	Shards     int   `json:"shards"`      // number of shards, checked on Seek
	Epoch      int   `json:"epoch"`       // 0-based
	ShardOrder []int `json:"shard_order"` // this epoch's order; nil before it is drawn
	Shard      int   `json:"shard"`       // index into ShardOrder of the shard being read
	Record     int   `json:"record"`      // records of that shard already served
	// OrderRNG is the order generator's state before it drew the current
	// shard's record permutation (or now, if no shard is open); MaskRNG is
	// the masking generator's current state. Both are PCG states
	// (math/rand/v2 PCG.MarshalBinary).
	OrderRNG []byte `json:"order_rng"`
	MaskRNG  []byte `json:"mask_rng"`
}

// Reader serves instances from a set of shards, shuffled and (for
// dynamically masked shards) freshly masked:
//
//   - each epoch visits the shards in a new random order;
//   - a shard is loaded whole and its records are served in a random
//     permutation, so the shard is the shuffle buffer and memory holds one
//     shard at a time;
//   - unmasked instances are masked by a Masker as they are served, so every
//     epoch sees different masks (RoBERTa's dynamic masking).
//
// Two PCG generators, one for order and one for masks, keep the state
// small and serializable (see Position).
type Reader struct {
	paths  []string
	header Header
	masker *Masker // nil for statically masked shards
	opts   ReaderOptions

	orderPCG, maskPCG *rand.PCG
	order, mask       *rand.Rand

	epoch      int
	shardOrder []int
	shardCur   int
	recCur     int
	cur        *Shard // loaded shard, nil when none
	perm       []int
	atShard    []byte // orderPCG state before perm was drawn
}

// NewReader checks every shard's header: the vocabulary checksum must be
// vocabSHA256 (the sha256 of the vocab.txt v was read from) and all shards
// must share the same creation options. Errors name the offending file.
func NewReader(paths []string, v Vocab, vocabSHA256 [32]byte, opts ReaderOptions) (*Reader, error) {
	if len(paths) == 0 {
		return nil, errors.New("pretrain: no shards to read")
	}
	want := vocabHex(vocabSHA256)
	var first Header
	for i, p := range paths {
		h, err := ReadShardHeader(p)
		if err != nil {
			return nil, err
		}
		if h.VocabSHA256 != want {
			return nil, fmt.Errorf("pretrain: shard %s was made with vocabulary sha256 %s, but the given vocabulary has %s", p, h.VocabSHA256, want)
		}
		if h.VocabSize != v.Size() {
			return nil, fmt.Errorf("pretrain: shard %s was made with %d vocabulary entries, the given vocabulary has %d", p, h.VocabSize, v.Size())
		}
		if i == 0 {
			first = h
		} else if h.Options != first.Options {
			return nil, fmt.Errorf("pretrain: shard %s options %+v differ from %s's %+v", p, h.Options, paths[0], first.Options)
		}
	}
	r := &Reader{paths: slices.Clone(paths), header: first, opts: opts}
	if !first.Options.StaticMasking {
		m, err := NewMasker(v, first.Options)
		if err != nil {
			return nil, err
		}
		r.masker = m
	}
	r.orderPCG = rand.NewPCG(opts.Seed, 0x6f72646572) // "order"
	r.maskPCG = rand.NewPCG(opts.Seed, 0x6d61736b)    // "mask"
	r.order, r.mask = rand.New(r.orderPCG), rand.New(r.maskPCG)
	return r, nil
}

// Header is the first shard's header; Options are the same in all shards.
func (r *Reader) Header() Header { return r.header }

// Next returns the next instance, masked. After Epochs epochs it returns
// io.EOF.
func (r *Reader) Next() (Instance, error) {
	for {
		if r.opts.Epochs > 0 && r.epoch >= r.opts.Epochs {
			return Instance{}, io.EOF
		}
		if r.shardOrder == nil {
			r.shardOrder = r.order.Perm(len(r.paths))
			r.shardCur, r.recCur = 0, 0
		}
		if r.shardCur == len(r.shardOrder) {
			r.epoch++
			r.shardOrder = nil
			continue
		}
		if r.cur == nil {
			if err := r.load(); err != nil {
				return Instance{}, err
			}
		}
		if r.recCur >= len(r.perm) {
			r.shardCur++
			r.recCur = 0
			r.cur, r.perm = nil, nil
			continue
		}
		in, err := r.cur.Instance(r.perm[r.recCur])
		if err != nil {
			return Instance{}, err
		}
		r.recCur++
		if r.masker != nil {
			in = r.masker.Apply(in, r.mask)
		}
		return in, nil
	}
}

func (r *Reader) load() error {
	state, _ := r.orderPCG.MarshalBinary()
	s, err := OpenShard(r.paths[r.shardOrder[r.shardCur]])
	if err != nil {
		return err
	}
	if s.Header.Options != r.header.Options || s.Header.VocabSHA256 != r.header.VocabSHA256 {
		return fmt.Errorf("pretrain: shard %s changed since the reader was opened (header differs)", s.Path)
	}
	r.atShard = state
	r.cur = s
	r.perm = r.order.Perm(s.Len())
	if r.recCur > len(r.perm) {
		return fmt.Errorf("pretrain: position record %d is past the end of shard %s (%d records)", r.recCur, s.Path, s.Len())
	}
	return nil
}

// NextBatch collects up to n instances into a Batch padded with the
// vocabulary's [PAD]. At the end of the stream it returns a shorter batch,
// then io.EOF.
func (r *Reader) NextBatch(n int, padID int) (*Batch, error) {
	ins := make([]Instance, 0, n)
	for len(ins) < n {
		in, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		ins = append(ins, in)
	}
	if len(ins) == 0 {
		return nil, io.EOF
	}
	o := r.header.Options
	return NewBatch(ins, o.MaxSeqLength, o.MaxPredictionsPerSeq, padID)
}

// Position reports where the reader is; see Seek.
func (r *Reader) Position() Position {
	p := Position{Shards: len(r.paths), Epoch: r.epoch, ShardOrder: slices.Clone(r.shardOrder), Shard: r.shardCur, Record: r.recCur}
	if r.cur != nil {
		p.OrderRNG = slices.Clone(r.atShard)
	} else {
		p.OrderRNG, _ = r.orderPCG.MarshalBinary()
	}
	p.MaskRNG, _ = r.maskPCG.MarshalBinary()
	return p
}

// Seek moves the reader to a saved Position of a reader over the same
// shards; the stream continues exactly as it would have from there.
func (r *Reader) Seek(p Position) error {
	if p.Shards != len(r.paths) {
		return fmt.Errorf("pretrain: position is for %d shards, reader has %d", p.Shards, len(r.paths))
	}
	if p.ShardOrder != nil {
		if len(p.ShardOrder) != len(r.paths) {
			return fmt.Errorf("pretrain: position shard order has %d entries, reader has %d shards", len(p.ShardOrder), len(r.paths))
		}
		seen := make([]bool, len(r.paths))
		for _, s := range p.ShardOrder {
			if s < 0 || s >= len(seen) || seen[s] {
				return fmt.Errorf("pretrain: position shard order %v is not a permutation", p.ShardOrder)
			}
			seen[s] = true
		}
		if p.Shard < 0 || p.Shard > len(p.ShardOrder) {
			return fmt.Errorf("pretrain: position shard cursor %d out of range", p.Shard)
		}
	}
	if p.Epoch < 0 || p.Record < 0 {
		return fmt.Errorf("pretrain: position has negative epoch or record")
	}
	var order, mask rand.PCG
	if err := order.UnmarshalBinary(p.OrderRNG); err != nil {
		return fmt.Errorf("pretrain: position order RNG: %w", err)
	}
	if err := mask.UnmarshalBinary(p.MaskRNG); err != nil {
		return fmt.Errorf("pretrain: position mask RNG: %w", err)
	}
	*r.orderPCG, *r.maskPCG = order, mask
	r.epoch, r.shardOrder, r.shardCur, r.recCur = p.Epoch, slices.Clone(p.ShardOrder), p.Shard, p.Record
	r.cur, r.perm, r.atShard = nil, nil, nil
	return nil
}
