package pretrain

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var testSHA = VocabChecksum([]byte("test vocab"))

// writeShards creates instances from synthetic documents and writes them.
func writeShards(t *testing.T, v *ListVocab, o Options, perShard int) (dir string, paths []string, written []Instance) {
	t.Helper()
	c, err := NewCreator(v, o)
	if err != nil {
		t.Fatal(err)
	}
	written = c.Create(uniqueDocs(12, 30, 9), newRand(11))
	dir = t.TempDir()
	w, err := NewShardWriter(dir, "t", Header{Options: o, VocabSize: v.Size(), VocabSHA256: vocabHex(testSHA), Seed: 11}, perShard)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range written {
		if err := w.Write(in); err != nil {
			t.Fatal(err)
		}
	}
	paths, err = w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return dir, paths, written
}

func TestShardRoundTrip(t *testing.T) {
	v := testVocab(t, 400, 0)
	for _, static := range []bool{false, true} {
		o := DefaultOptions()
		o.StaticMasking = static
		o.MaxSeqLength = 64
		_, paths, written := writeShards(t, v, o, 7)
		if want := (len(written) + 6) / 7; len(paths) != want {
			t.Fatalf("%d shards for %d instances at 7 per shard, want %d", len(paths), len(written), want)
		}
		var read []Instance
		for i, p := range paths {
			s, err := OpenShard(p)
			if err != nil {
				t.Fatal(err)
			}
			if s.Header.Shard != i || s.Header.Options != o || s.Header.VocabSHA256 != vocabHex(testSHA) || s.Header.Format != FormatName {
				t.Fatalf("header %+v", s.Header)
			}
			for j := range s.Len() {
				in, err := s.Instance(j)
				if err != nil {
					t.Fatal(err)
				}
				read = append(read, in)
			}
		}
		if !reflect.DeepEqual(read, written) {
			t.Fatalf("static=%v: shards do not round-trip", static)
		}
	}
}

func TestShardWriterRejects(t *testing.T) {
	v := testVocab(t, 10, 0)
	o := DefaultOptions()
	w, err := NewShardWriter(t.TempDir(), "", Header{Options: o, VocabSize: v.Size(), VocabSHA256: vocabHex(testSHA)}, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   Instance
		want string
	}{
		{Instance{Tokens: make([]int, 200), SegmentA: 1}, "200 tokens"},
		{Instance{Tokens: []int{tCLS, 99, tSEP}, SegmentA: 3}, "token id 99 outside"},
		{Instance{Tokens: []int{tCLS, 5, tSEP}, SegmentA: 4}, "segment A length 4"},
		{Instance{Tokens: []int{tCLS, 5, tSEP}, SegmentA: 3, MaskedPositions: []int{3}, MaskedLabels: []int{5}}, "masks position 3"},
	} {
		if err := w.Write(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Write(%+v) = %v, want %q", tc.in, err, tc.want)
		}
	}
	if paths, err := w.Close(); err != nil || len(paths) != 0 {
		t.Errorf("empty writer Close: %v %v", paths, err)
	}
	if _, err := NewShardWriter(t.TempDir(), "", Header{Options: o}, 5); err == nil {
		t.Error("header without vocabulary accepted")
	}
}

func TestCorruptShards(t *testing.T) {
	v := testVocab(t, 400, 0)
	_, paths, _ := writeShards(t, v, DefaultOptions(), 1000)
	good, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	h, _ := ReadShardHeader(paths[0])
	hj, _ := json.Marshal(h)
	firstRecord := 10 + len(hj) + 4
	for _, tc := range []struct {
		name string
		edit func([]byte) []byte
		want string
	}{
		{"flipped byte in a record", func(b []byte) []byte { b[firstRecord+5] ^= 0x40; return b }, "record 0 checksum mismatch"},
		{"flipped byte in the header", func(b []byte) []byte { b[12] ^= 1; return b }, "header checksum mismatch"},
		{"truncated mid-file", func(b []byte) []byte { return b[:len(b)/2] }, "truncated"},
		{"footer cut off", func(b []byte) []byte { return b[:len(b)-3] }, "bad footer"},
		{"truncated header", func(b []byte) []byte { return b[:6] }, "truncated header"},
		{"bad magic", func(b []byte) []byte { copy(b, "PK\x03\x04"); return b }, "bad magic"},
		{"wrong version", func(b []byte) []byte { b[4] = 9; return b }, "format version 9"},
		{"empty file", func(b []byte) []byte { return nil }, "truncated header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.shard")
			if err := os.WriteFile(path, tc.edit(append([]byte(nil), good...)), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := OpenShard(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("OpenShard: %v, want an error naming %s and containing %q", err, path, tc.want)
			}
		})
	}
}

func TestReaderChecksVocabulary(t *testing.T) {
	v := testVocab(t, 400, 0)
	_, paths, _ := writeShards(t, v, DefaultOptions(), 50)
	_, err := NewReader(paths, v, VocabChecksum([]byte("another vocab")), ReaderOptions{})
	if err == nil || !strings.Contains(err.Error(), paths[0]) || !strings.Contains(err.Error(), "vocabulary sha256") {
		t.Errorf("wrong checksum: %v", err)
	}
	if _, err := NewReader(paths, testVocab(t, 401, 0), testSHA, ReaderOptions{}); err == nil || !strings.Contains(err.Error(), "vocabulary entries") {
		t.Errorf("wrong vocabulary size: %v", err)
	}
	o := DefaultOptions()
	o.MaskedLMProb = 0.2
	_, other, _ := writeShards(t, v, o, 1000)
	if _, err := NewReader(append(paths, other...), v, testSHA, ReaderOptions{}); err == nil || !strings.Contains(err.Error(), other[0]) || !strings.Contains(err.Error(), "differ") {
		t.Errorf("mixed options: %v", err)
	}
	// Corruption found when a shard is loaded is reported by Next.
	data, _ := os.ReadFile(paths[1])
	data[len(data)-20] ^= 0xff
	os.WriteFile(paths[1], data, 0o644)
	r, err := NewReader(paths, v, testSHA, ReaderOptions{Epochs: 1})
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err = r.Next()
		if err != nil {
			break
		}
	}
	if err == io.EOF || !strings.Contains(err.Error(), paths[1]) {
		t.Errorf("corrupt shard while reading: %v", err)
	}
}

// drain reads a reader to io.EOF.
func drain(t *testing.T, r *Reader) []Instance {
	t.Helper()
	var out []Instance
	for {
		in, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, in)
	}
}

// unmask restores the original tokens of a served instance.
func unmask(in Instance) []int {
	toks := append([]int(nil), in.Tokens...)
	for k, p := range in.MaskedPositions {
		toks[p] = in.MaskedLabels[k]
	}
	return toks
}

func TestReaderShufflesAndMasksDynamically(t *testing.T) {
	v := testVocab(t, 400, 0)
	_, paths, written := writeShards(t, v, DefaultOptions(), 9)
	open := func(seed uint64) *Reader {
		r, err := NewReader(paths, v, testSHA, ReaderOptions{Seed: seed, Epochs: 2})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := drain(t, open(1)), drain(t, open(1))
	if len(a) != 2*len(written) {
		t.Fatalf("%d instances in two epochs, want %d", len(a), 2*len(written))
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed gave different streams")
	}
	if reflect.DeepEqual(a, drain(t, open(2))) {
		t.Fatal("different seeds gave the same stream")
	}
	// Each epoch serves every instance exactly once, in a shuffled order.
	key := func(toks []int) string { b, _ := json.Marshal(toks); return string(b) }
	want := map[string]int{}
	for _, in := range written {
		want[key(in.Tokens)]++
	}
	n := len(written)
	masks := map[string][2][]int{}
	for e := range 2 {
		got := map[string]int{}
		same := 0
		for i, in := range a[e*n : (e+1)*n] {
			k := key(unmask(in))
			got[k]++
			if len(in.MaskedPositions) == 0 {
				t.Fatal("served instance not masked")
			}
			m := masks[k]
			m[e] = in.MaskedPositions
			masks[k] = m
			if reflect.DeepEqual(unmask(in), written[i].Tokens) {
				same++
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("epoch %d does not serve each instance once", e)
		}
		if same > n/4 {
			t.Errorf("epoch %d: %d of %d instances at their written index; not shuffled", e, same, n)
		}
	}
	differ := 0
	for _, m := range masks {
		if !reflect.DeepEqual(m[0], m[1]) {
			differ++
		}
	}
	if differ < len(masks)*9/10 {
		t.Errorf("only %d of %d instances got a different mask in epoch 2", differ, len(masks))
	}
}

func TestReaderResume(t *testing.T) {
	v := testVocab(t, 400, 0)
	_, paths, written := writeShards(t, v, DefaultOptions(), 9)
	n := len(written)
	open := func() *Reader {
		r, err := NewReader(paths, v, testSHA, ReaderOptions{Seed: 5, Epochs: 3})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	full := drain(t, open())
	for _, k := range []int{0, 1, 8, 9, 10, n - 1, n, n + 1, 2*n + 4, 3 * n} {
		r := open()
		for range k {
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
		}
		saved, err := json.Marshal(r.Position())
		if err != nil {
			t.Fatal(err)
		}
		var pos Position
		if err := json.Unmarshal(saved, &pos); err != nil {
			t.Fatal(err)
		}
		resumed := open()
		if err := resumed.Seek(pos); err != nil {
			t.Fatal(err)
		}
		if rest := drain(t, resumed); !sameStream(rest, full[k:]) {
			t.Fatalf("resumed after %d: %d instances, not the remaining %d of the stream", k, len(rest), len(full)-k)
		}
		// The original reader continues the same way.
		if rest := drain(t, r); !sameStream(rest, full[k:]) {
			t.Fatalf("reader after Position() at %d diverged", k)
		}
	}
	r := open()
	bad := r.Position()
	bad.Shards++
	if err := r.Seek(bad); err == nil || !strings.Contains(err.Error(), "shards") {
		t.Errorf("Seek with wrong shard count: %v", err)
	}
	bad = r.Position()
	bad.MaskRNG = []byte("junk")
	if err := r.Seek(bad); err == nil || !strings.Contains(err.Error(), "mask RNG") {
		t.Errorf("Seek with bad RNG state: %v", err)
	}
}

func TestStaticShardsServedAsStored(t *testing.T) {
	v := testVocab(t, 400, 0)
	o := DefaultOptions()
	o.StaticMasking = true
	_, paths, written := writeShards(t, v, o, 1000)
	r, err := NewReader(paths, v, testSHA, ReaderOptions{Seed: 1, Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	got := drain(t, r)
	stored := map[string]bool{}
	for _, in := range written {
		b, _ := json.Marshal(in)
		stored[string(b)] = true
	}
	for _, in := range got {
		b, _ := json.Marshal(in)
		if !stored[string(b)] {
			t.Fatal("static instance served with a different mask than stored")
		}
	}
}

func sameStream(a, b []Instance) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}
