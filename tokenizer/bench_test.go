package tokenizer

import (
	"testing"
)

// benchTokenizer is bert-base-uncased from the shared folder.
func benchTokenizer(b *testing.B) *Tokenizer {
	dir := conformanceDir(b)
	return conformanceTokenizers(b, dir)["uncased"]
}

// BenchmarkEncodeSingle encodes 3 MB of English paragraphs (SQuAD contexts when present) one by one on
// one goroutine and reports tokens per second.
func BenchmarkEncodeSingle(b *testing.B) {
	tok := benchTokenizer(b)
	lines := englishLines(b, 3<<20)
	b.ResetTimer()
	tokens := 0
	for b.Loop() {
		for _, l := range lines {
			e, err := tok.Encode(l)
			if err != nil {
				b.Fatal(err)
			}
			tokens += e.Len()
		}
	}
	b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkEncodeBatch encodes the same paragraphs with EncodeBatch, on all cores.
func BenchmarkEncodeBatch(b *testing.B) {
	tok := benchTokenizer(b)
	lines := englishLines(b, 3<<20)
	b.ResetTimer()
	tokens := 0
	for b.Loop() {
		encs, err := tok.EncodeBatch(lines)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range encs {
			tokens += e.Len()
		}
	}
	b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
}
