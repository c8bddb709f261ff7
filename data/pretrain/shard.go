package pretrain

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"

	"github.com/gorbert/gorbert/internal/atomicfile"
)

// The shard format is described in FORMAT.md next to this file.
const (
	shardMagic    = "GBPT"
	shardEndMagic = "GBPE"
	shardVersion  = 1
	// FormatName is the "format" field of every shard header.
	FormatName = "gorbert-pretrain"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalText writes the objective's name ("nsp", "sop", "none").
func (o Objective) MarshalText() ([]byte, error) {
	if o != NSP && o != SOP && o != NoSentenceObjective {
		return nil, fmt.Errorf("pretrain: unknown objective %d", int(o))
	}
	return []byte(o.String()), nil
}

// UnmarshalText parses an objective's name.
func (o *Objective) UnmarshalText(b []byte) error {
	v, err := ParseObjective(string(b))
	*o = v
	return err
}

// Header is the JSON header of a shard: how its instances were made.
type Header struct {
	Format      string  `json:"format"`
	Options     Options `json:"options"`
	VocabSize   int     `json:"vocab_size"`
	VocabSHA256 string  `json:"vocab_sha256"` // hex sha256 of vocab.txt
	// Seed and ChunkDocuments record how Prepare ran, for provenance.
	Seed           uint64 `json:"seed"`
	ChunkDocuments int    `json:"chunk_documents,omitempty"`
	Shard          int    `json:"shard"` // index of this file in its set
}

// ShardWriter streams instances into numbered shard files
// DIR/PREFIX-00000.shard, DIR/PREFIX-00001.shard, ..., starting a new file
// every PerShard instances. A shard is encoded in memory (so memory is
// bounded by one shard) and written atomically when full, so a crash never
// leaves a partial shard under its final name.
type ShardWriter struct {
	dir, prefix string
	header      Header
	perShard    int
	maxToken    int
	buf         bytes.Buffer
	rec         []byte
	count       int
	paths       []string
	closed      bool
}

// NewShardWriter checks the header (its Options and vocabulary fields must
// be set; Format and Shard are filled in) and creates dir if needed.
func NewShardWriter(dir, prefix string, header Header, perShard int) (*ShardWriter, error) {
	if err := header.Options.Validate(); err != nil {
		return nil, err
	}
	if perShard < 1 {
		return nil, fmt.Errorf("pretrain: %d instances per shard; need at least 1", perShard)
	}
	if header.VocabSize < 1 || len(header.VocabSHA256) != 64 {
		return nil, fmt.Errorf("pretrain: shard header needs the vocabulary size and its hex sha256")
	}
	if prefix == "" {
		prefix = "pretrain"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pretrain: %w", err)
	}
	header.Format = FormatName
	return &ShardWriter{dir: dir, prefix: prefix, header: header, perShard: perShard, maxToken: header.VocabSize - 1}, nil
}

// Write appends one instance, writing out the current shard when it is
// full. Instances longer than max_seq_length, ids outside the vocabulary
// or masks beyond max_predictions_per_seq are errors.
func (w *ShardWriter) Write(in Instance) error {
	if w.closed {
		return errors.New("pretrain: write to a closed ShardWriter")
	}
	if err := w.check(in); err != nil {
		return err
	}
	w.rec = encodeInstance(w.rec[:0], in)
	w.buf.Write(binary.AppendUvarint(nil, uint64(len(w.rec))))
	w.buf.Write(w.rec)
	w.buf.Write(binary.LittleEndian.AppendUint32(nil, crc32.Checksum(w.rec, castagnoli)))
	w.count++
	if w.count == w.perShard {
		return w.flush()
	}
	return nil
}

func (w *ShardWriter) check(in Instance) error {
	o := w.header.Options
	switch {
	case len(in.Tokens) < 2 || len(in.Tokens) > o.MaxSeqLength:
		return fmt.Errorf("pretrain: instance has %d tokens; want 2..%d", len(in.Tokens), o.MaxSeqLength)
	case in.SegmentA < 1 || in.SegmentA > len(in.Tokens):
		return fmt.Errorf("pretrain: instance segment A length %d outside 1..%d", in.SegmentA, len(in.Tokens))
	case len(in.MaskedPositions) > o.MaxPredictionsPerSeq || len(in.MaskedLabels) != len(in.MaskedPositions):
		return fmt.Errorf("pretrain: instance has %d masked positions, %d labels (max %d)", len(in.MaskedPositions), len(in.MaskedLabels), o.MaxPredictionsPerSeq)
	}
	for _, ids := range [][]int{in.Tokens, in.MaskedLabels} {
		for _, t := range ids {
			if t < 0 || t > w.maxToken {
				return fmt.Errorf("pretrain: instance token id %d outside the vocabulary of %d", t, w.header.VocabSize)
			}
		}
	}
	for _, p := range in.MaskedPositions {
		if p < 0 || p >= len(in.Tokens) {
			return fmt.Errorf("pretrain: instance masks position %d of %d tokens", p, len(in.Tokens))
		}
	}
	return nil
}

func (w *ShardWriter) flush() error {
	if w.count == 0 {
		return nil
	}
	h := w.header
	h.Shard = len(w.paths)
	hj, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("pretrain: encoding shard header: %w", err)
	}
	path := filepath.Join(w.dir, fmt.Sprintf("%s-%05d.shard", w.prefix, h.Shard))
	err = atomicfile.Write(path, func(f io.Writer) error {
		var head []byte
		head = append(head, shardMagic...)
		head = binary.LittleEndian.AppendUint16(head, shardVersion)
		head = binary.LittleEndian.AppendUint32(head, uint32(len(hj)))
		head = append(head, hj...)
		head = binary.LittleEndian.AppendUint32(head, crc32.Checksum(hj, castagnoli))
		if _, err := f.Write(head); err != nil {
			return err
		}
		if _, err := f.Write(w.buf.Bytes()); err != nil {
			return err
		}
		foot := []byte{0}
		foot = binary.LittleEndian.AppendUint64(foot, uint64(w.count))
		foot = append(foot, shardEndMagic...)
		_, err := f.Write(foot)
		return err
	})
	if err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	w.paths = append(w.paths, path)
	w.buf.Reset()
	w.count = 0
	return nil
}

// Close writes the last, partly filled shard and returns every shard path
// written, in order.
func (w *ShardWriter) Close() ([]string, error) {
	if w.closed {
		return w.paths, nil
	}
	w.closed = true
	err := w.flush()
	return w.paths, err
}

// encodeInstance appends a record payload: uvarint token count, uvarint
// segment A length, zig-zag varint label, uvarint mask count, then the
// token ids, the masked positions and the masked labels as uvarints.
func encodeInstance(b []byte, in Instance) []byte {
	b = binary.AppendUvarint(b, uint64(len(in.Tokens)))
	b = binary.AppendUvarint(b, uint64(in.SegmentA))
	b = binary.AppendVarint(b, int64(in.Label))
	b = binary.AppendUvarint(b, uint64(len(in.MaskedPositions)))
	for _, t := range in.Tokens {
		b = binary.AppendUvarint(b, uint64(t))
	}
	for _, p := range in.MaskedPositions {
		b = binary.AppendUvarint(b, uint64(p))
	}
	for _, l := range in.MaskedLabels {
		b = binary.AppendUvarint(b, uint64(l))
	}
	return b
}

// decodeInstance is the inverse of encodeInstance; limits bound every count
// so corrupted input cannot ask for huge allocations.
func decodeInstance(p []byte, maxSeq, maxPred int) (Instance, error) {
	var in Instance
	r := bytes.NewReader(p)
	u := func() (int, error) {
		v, err := binary.ReadUvarint(r)
		if err != nil || v > 1<<31 {
			return 0, errors.New("bad varint")
		}
		return int(v), nil
	}
	n, err := u()
	if err != nil || n > maxSeq {
		return in, fmt.Errorf("bad token count")
	}
	if in.SegmentA, err = u(); err != nil || in.SegmentA > n {
		return in, fmt.Errorf("bad segment length")
	}
	label, err := binary.ReadVarint(r)
	if err != nil {
		return in, fmt.Errorf("bad label")
	}
	in.Label = int(label)
	k, err := u()
	if err != nil || k > maxPred {
		return in, fmt.Errorf("bad mask count")
	}
	in.Tokens = make([]int, n)
	for i := range in.Tokens {
		if in.Tokens[i], err = u(); err != nil {
			return in, fmt.Errorf("bad token id")
		}
	}
	if k > 0 {
		in.MaskedPositions, in.MaskedLabels = make([]int, k), make([]int, k)
		for i := range in.MaskedPositions {
			if in.MaskedPositions[i], err = u(); err != nil || in.MaskedPositions[i] >= n {
				return in, fmt.Errorf("bad masked position")
			}
		}
		for i := range in.MaskedLabels {
			if in.MaskedLabels[i], err = u(); err != nil {
				return in, fmt.Errorf("bad masked label")
			}
		}
	}
	if r.Len() != 0 {
		return in, fmt.Errorf("%d stray bytes", r.Len())
	}
	return in, nil
}

// Shard is one shard file loaded and verified in memory.
type Shard struct {
	Path    string
	Header  Header
	data    []byte
	offsets []int // payload start of each record
	lengths []int
}

// Len is the number of instances in the shard.
func (s *Shard) Len() int { return len(s.offsets) }

// Instance decodes record i.
func (s *Shard) Instance(i int) (Instance, error) {
	in, err := decodeInstance(s.data[s.offsets[i]:s.offsets[i]+s.lengths[i]], s.Header.Options.MaxSeqLength, s.Header.Options.MaxPredictionsPerSeq)
	if err != nil {
		return in, fmt.Errorf("pretrain: shard %s: record %d: %v", s.Path, i, err)
	}
	return in, nil
}

// ReadShardHeader reads and checks only the header of a shard file.
func ReadShardHeader(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, fmt.Errorf("pretrain: %w", err)
	}
	defer f.Close()
	h, _, err := parseHeader(path, f)
	return h, err
}

// parseHeader reads magic, version and the JSON header; it returns the
// number of bytes consumed.
func parseHeader(path string, r io.Reader) (Header, int, error) {
	var h Header
	fixed := make([]byte, 10)
	if _, err := io.ReadFull(r, fixed); err != nil {
		return h, 0, fmt.Errorf("pretrain: shard %s: truncated header", path)
	}
	if string(fixed[:4]) != shardMagic {
		return h, 0, fmt.Errorf("pretrain: shard %s: not a gorbert pretraining shard (bad magic %q)", path, fixed[:4])
	}
	if v := binary.LittleEndian.Uint16(fixed[4:]); v != shardVersion {
		return h, 0, fmt.Errorf("pretrain: shard %s: format version %d, this build reads version %d", path, v, shardVersion)
	}
	n := binary.LittleEndian.Uint32(fixed[6:])
	if n > 1<<20 {
		return h, 0, fmt.Errorf("pretrain: shard %s: header length %d is implausible (corrupted)", path, n)
	}
	hj := make([]byte, n+4)
	if _, err := io.ReadFull(r, hj); err != nil {
		return h, 0, fmt.Errorf("pretrain: shard %s: truncated header", path)
	}
	if crc32.Checksum(hj[:n], castagnoli) != binary.LittleEndian.Uint32(hj[n:]) {
		return h, 0, fmt.Errorf("pretrain: shard %s: header checksum mismatch (corrupted)", path)
	}
	if err := json.Unmarshal(hj[:n], &h); err != nil {
		return h, 0, fmt.Errorf("pretrain: shard %s: header: %v", path, err)
	}
	if h.Format != FormatName {
		return h, 0, fmt.Errorf("pretrain: shard %s: header format %q, want %q", path, h.Format, FormatName)
	}
	if err := h.Options.Validate(); err != nil {
		return h, 0, fmt.Errorf("pretrain: shard %s: header: %v", path, err)
	}
	return h, 10 + int(n) + 4, nil
}

// OpenShard reads a whole shard into memory and verifies it: header, every
// record's checksum, and the footer's record count. Corruption or truncation
// is an error naming the file and the record.
func OpenShard(path string) (*Shard, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pretrain: %w", err)
	}
	h, off, err := parseHeader(path, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	s := &Shard{Path: path, Header: h, data: data}
	for {
		rec := len(s.offsets)
		n, w := binary.Uvarint(data[off:])
		if w <= 0 {
			return nil, fmt.Errorf("pretrain: shard %s: truncated or corrupted at record %d (byte %d)", path, rec, off)
		}
		off += w
		if n == 0 {
			break // footer
		}
		if n > uint64(len(data)-off) || len(data)-off-int(n) < 4 {
			return nil, fmt.Errorf("pretrain: shard %s: truncated in record %d (byte %d)", path, rec, off)
		}
		payload := data[off : off+int(n)]
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(data[off+int(n):]) {
			return nil, fmt.Errorf("pretrain: shard %s: record %d checksum mismatch (corrupted)", path, rec)
		}
		s.offsets = append(s.offsets, off)
		s.lengths = append(s.lengths, int(n))
		off += int(n) + 4
	}
	if len(data)-off != 12 || string(data[off+8:]) != shardEndMagic {
		return nil, fmt.Errorf("pretrain: shard %s: bad footer after %d records (truncated or corrupted)", path, len(s.offsets))
	}
	if c := binary.LittleEndian.Uint64(data[off:]); c != uint64(len(s.offsets)) {
		return nil, fmt.Errorf("pretrain: shard %s: footer counts %d records, file has %d", path, c, len(s.offsets))
	}
	return s, nil
}

// vocabHex is the header form of a vocabulary checksum.
func vocabHex(sum [32]byte) string { return hex.EncodeToString(sum[:]) }
