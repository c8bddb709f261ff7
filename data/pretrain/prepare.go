package pretrain

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/gorbert/gorbert/data/corpus"
)

// PrepareConfig drives Prepare.
type PrepareConfig struct {
	Inputs []string           // plain-text corpus files (see package corpus)
	Scan   corpus.ScanOptions // e.g. SplitSentences for running text
	// Tokenize turns one sentence into word pieces, all in Vocab (a
	// WordPiece tokenizer's output, with [UNK] for unknown words).
	Tokenize    func(sentence string) []string
	Vocab       Vocab
	VocabSHA256 [32]byte // sha256 of vocab.txt, recorded in every shard
	Options     Options
	Seed        uint64
	// ChunkDocuments bounds memory: documents are processed K at a time.
	// 0 means 10000.
	ChunkDocuments int
	OutDir         string
	Prefix         string // shard name prefix; "" means "pretrain"
	// InstancesPerShard is the rotation size; 0 means 10000.
	InstancesPerShard int
}

// PrepareStats count what Prepare read and wrote.
type PrepareStats struct {
	Documents, Sentences, Tokens, Instances, Chunks int
	Shards                                          []string
}

// Prepare turns corpus files into shards, the streaming equivalent of
// running create_pretraining_data.py over them. Google's script holds all
// documents in memory, shuffles them, and draws NSP's random segments from
// any document. Prepare instead reads ChunkDocuments documents at a time
// and runs Creator.Create on each chunk: the chunk's documents are
// shuffled, random next segments come from another document of the same
// chunk, and the chunk's instances are shuffled before they are written.
// Memory is bounded by one chunk plus one shard, whatever the corpus size.
// Mixing across chunks happens when reading: the Reader shuffles the shard
// order every epoch and each shard's records. Each input file starts a new
// document. All randomness comes from Seed, so the same inputs and seed
// give the same shards.
func Prepare(cfg PrepareConfig) (PrepareStats, error) {
	var st PrepareStats
	if len(cfg.Inputs) == 0 || cfg.Tokenize == nil || cfg.Vocab == nil || cfg.OutDir == "" {
		return st, errors.New("pretrain: Prepare needs Inputs, Tokenize, Vocab and OutDir")
	}
	creator, err := NewCreator(cfg.Vocab, cfg.Options)
	if err != nil {
		return st, err
	}
	chunkDocs := cfg.ChunkDocuments
	if chunkDocs == 0 {
		chunkDocs = 10000
	}
	perShard := cfg.InstancesPerShard
	if perShard == 0 {
		perShard = 10000
	}
	w, err := NewShardWriter(cfg.OutDir, cfg.Prefix, Header{
		Options: cfg.Options, VocabSize: cfg.Vocab.Size(), VocabSHA256: vocabHex(cfg.VocabSHA256),
		Seed: cfg.Seed, ChunkDocuments: chunkDocs,
	}, perShard)
	if err != nil {
		return st, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x70726570)) // "prep"

	chunk := make([][][]int, 0, chunkDocs)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		st.Chunks++
		for _, in := range creator.Create(chunk, rng) {
			if err := w.Write(in); err != nil {
				return err
			}
			st.Instances++
		}
		clear(chunk) // let the chunk's documents be collected
		chunk = chunk[:0]
		return nil
	}
	for _, path := range cfg.Inputs {
		if err := scanFile(path, cfg, func(doc [][]int, sentences, tokens int) error {
			st.Documents++
			st.Sentences += sentences
			st.Tokens += tokens
			chunk = append(chunk, doc)
			if len(chunk) == chunkDocs {
				return flush()
			}
			return nil
		}); err != nil {
			w.Close()
			return st, err
		}
	}
	if err := flush(); err != nil {
		w.Close()
		return st, err
	}
	st.Shards, err = w.Close()
	if err == nil && st.Instances == 0 {
		err = fmt.Errorf("pretrain: %d documents gave no instances (documents need at least two tokens)", st.Documents)
	}
	return st, err
}

// scanFile tokenizes each document of one corpus file and hands it to fn.
func scanFile(path string, cfg PrepareConfig, fn func(doc [][]int, sentences, tokens int) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	defer f.Close()
	s := corpus.NewScanner(f, path, cfg.Scan)
	for s.Scan() {
		sents := s.Document()
		pieces := make([][]string, len(sents))
		for i, sent := range sents {
			pieces[i] = cfg.Tokenize(sent)
		}
		doc, err := DocumentIDs(cfg.Vocab, pieces)
		if err != nil {
			return fmt.Errorf("%s: document ending near line %d: %w", path, s.Line(), err)
		}
		tokens := 0
		for _, sent := range doc {
			tokens += len(sent)
		}
		if len(doc) == 0 {
			continue
		}
		if err := fn(doc, len(doc), tokens); err != nil {
			return err
		}
	}
	return s.Err()
}
