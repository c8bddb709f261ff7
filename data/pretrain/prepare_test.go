package pretrain

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// writeSyntheticCorpus writes documents of sentences of words w0..w(words-1)
// until the file reaches size bytes.
func writeSyntheticCorpus(t testing.TB, path string, size int64, words int, seed uint64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(seed, 1))
	var n int64
	for n < size {
		for range 20 + rng.IntN(40) {
			for i := range 8 + rng.IntN(12) {
				if i > 0 {
					bw.WriteByte(' ')
					n++
				}
				k, _ := fmt.Fprintf(bw, "w%d", rng.IntN(words))
				n += int64(k)
			}
			bw.WriteByte('\n')
			n++
		}
		bw.WriteByte('\n')
		n++
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func fieldsTokenizer(s string) []string { return strings.Fields(s) }

func TestPrepareDeterministicAndReadable(t *testing.T) {
	v := testVocab(t, 300, 0)
	in := filepath.Join(t.TempDir(), "corpus.txt")
	writeSyntheticCorpus(t, in, 200_000, 300, 1)
	run := func(seed uint64) (PrepareStats, [][]byte) {
		cfg := PrepareConfig{Inputs: []string{in}, Tokenize: fieldsTokenizer, Vocab: v, VocabSHA256: testSHA,
			Options: DefaultOptions(), Seed: seed, ChunkDocuments: 30, OutDir: t.TempDir(), InstancesPerShard: 500}
		st, err := Prepare(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var files [][]byte
		for _, p := range st.Shards {
			b, _ := os.ReadFile(p)
			files = append(files, b)
		}
		return st, files
	}
	st, a := run(1)
	_, b := run(1)
	_, c := run(2)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different shards")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same shards")
	}
	if st.Chunks < 2 || len(st.Shards) < 2 || st.Instances == 0 || st.Tokens == 0 {
		t.Fatalf("stats %+v", st)
	}
	r, err := NewReader(st.Shards, v, testSHA, ReaderOptions{Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(drain(t, r)); got != st.Instances {
		t.Errorf("read %d instances, Prepare wrote %d", got, st.Instances)
	}
}

func TestPrepareErrors(t *testing.T) {
	v := testVocab(t, 10, 0)
	dir := t.TempDir()
	in := filepath.Join(dir, "c.txt")
	os.WriteFile(in, []byte("w1 w2\nw3 w4\n\nw1 oops\n"), 0o644)
	cfg := PrepareConfig{Inputs: []string{in}, Tokenize: fieldsTokenizer, Vocab: v, VocabSHA256: testSHA, Options: DefaultOptions(), OutDir: t.TempDir()}
	if _, err := Prepare(cfg); err == nil || !strings.Contains(err.Error(), in) || !strings.Contains(err.Error(), `"oops" is not in the vocabulary`) {
		t.Errorf("unknown token: %v", err)
	}
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	cfg.Inputs = []string{empty}
	if _, err := Prepare(cfg); err == nil || !strings.Contains(err.Error(), empty+": empty file") {
		t.Errorf("empty corpus: %v", err)
	}
	cfg.Inputs = nil
	if _, err := Prepare(cfg); err == nil {
		t.Error("no inputs accepted")
	}
}

// TestPrepareMemoryBounded prepares ~25 MB and ~100 MB of synthetic text
// with the same chunk size and checks that the peak heap does not grow with
// the corpus (holding all documents, as Google's script does, would make it
// grow four-fold), and that it stays well below the corpus size. Skipped in
// -short mode; it logs the numbers.
func TestPrepareMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and prepares a 100 MB corpus")
	}
	small := preparePeak(t, 25<<20)
	big := preparePeak(t, 100<<20)
	if big > small*3/2+(8<<20) {
		t.Errorf("peak heap grew from %.1f MB (25 MB corpus) to %.1f MB (100 MB corpus): not memory-bounded", mb(small), mb(big))
	}
	if big > 100<<20/2 {
		t.Errorf("peak heap %.1f MB is more than half the 100 MB corpus", mb(big))
	}
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// preparePeak writes a synthetic corpus of about size bytes, prepares it,
// and returns the peak HeapAlloc sampled every 10ms during Prepare.
func preparePeak(t *testing.T, size int64) uint64 {
	v := testVocab(t, 5000, 0)
	dir := t.TempDir()
	in := filepath.Join(dir, "big.txt")
	writeSyntheticCorpus(t, in, size, 5000, 7)
	runtime.GC()

	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	st, err := Prepare(PrepareConfig{Inputs: []string{in}, Tokenize: fieldsTokenizer, Vocab: v, VocabSHA256: testSHA,
		Options: DefaultOptions(), Seed: 1, ChunkDocuments: 1000, OutDir: filepath.Join(dir, "shards"), InstancesPerShard: 10000})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	var shardBytes int64
	for _, p := range st.Shards {
		fi, _ := os.Stat(p)
		shardBytes += fi.Size()
	}
	t.Logf("prepared %d MB (chunks of 1000 documents): %d documents, %d sentences, %d tokens -> %d instances in %d shards (%.1f MB) in %v; peak HeapAlloc %.1f MB",
		size>>20, st.Documents, st.Sentences, st.Tokens, st.Instances, len(st.Shards), mb(uint64(shardBytes)),
		time.Since(start).Round(time.Millisecond), mb(peak.Load()))
	return peak.Load()
}

func TestBatch(t *testing.T) {
	ins := []Instance{
		{Tokens: []int{tCLS, 7, tMask, tSEP, 9, tSEP}, SegmentA: 4, Label: 1, MaskedPositions: []int{2, 4}, MaskedLabels: []int{8, 9}},
		{Tokens: []int{tCLS, 5, tSEP}, SegmentA: 3, Label: IgnoreLabel},
	}
	b, err := NewBatch(ins, 8, 3, tPad)
	if err != nil {
		t.Fatal(err)
	}
	want := &Batch{Size: 2, SeqLength: 8, MaxPredictions: 3,
		InputIDs:           []int{tCLS, 7, tMask, tSEP, 9, tSEP, tPad, tPad, tCLS, 5, tSEP, tPad, tPad, tPad, tPad, tPad},
		TokenTypeIDs:       []int{0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		AttentionMask:      []int{1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0},
		MaskedPositions:    []int{2, 4, 0, 0, 0, 0},
		MaskedIDs:          []int{8, 9, 0, 0, 0, 0},
		MaskedWeights:      []float32{1, 1, 0, 0, 0, 0},
		NextSentenceLabels: []int{1, IgnoreLabel},
	}
	if !reflect.DeepEqual(b, want) {
		t.Fatalf("batch\n%+v\nwant\n%+v", b, want)
	}
	l := IgnoreLabel
	if got := b.MLMLabels(); !reflect.DeepEqual(got, []int{l, l, 8, l, 9, l, l, l, l, l, l, l, l, l, l, l}) {
		t.Errorf("MLMLabels %v", got)
	}
	if _, err := NewBatch(ins, 5, 3, tPad); err == nil || !strings.Contains(err.Error(), "row 0 has 6 tokens") {
		t.Errorf("too long: %v", err)
	}
	if _, err := NewBatch(ins, 8, 1, tPad); err == nil || !strings.Contains(err.Error(), "row 0 has 2 masked") {
		t.Errorf("too many predictions: %v", err)
	}
}

func TestReaderNextBatch(t *testing.T) {
	v := testVocab(t, 400, 0)
	_, paths, written := writeShards(t, v, DefaultOptions(), 50)
	r, err := NewReader(paths, v, testSHA, ReaderOptions{Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for {
		b, err := r.NextBatch(16, tPad)
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatal(err)
			}
			break
		}
		if len(b.InputIDs) != b.Size*128 || len(b.MaskedWeights) != b.Size*20 {
			t.Fatalf("batch shapes %d, %d for %d rows", len(b.InputIDs), len(b.MaskedWeights), b.Size)
		}
		for k, w := range b.MaskedWeights {
			row := k / 20
			if w == 1 && b.AttentionMask[row*128+b.MaskedPositions[k]] == 0 {
				t.Fatal("masked position on padding")
			}
		}
		rows += b.Size
	}
	if rows != len(written) {
		t.Errorf("%d rows, want %d", rows, len(written))
	}
}
