package tokenizer

import (
	"bufio"
	"container/heap"
	"fmt"
	"io"
	"sort"
	"strings"
)

// TrainOptions are the settings of Train, named after HuggingFace's
// WordPieceTrainer.
type TrainOptions struct {
	VocabSize     int      // target size, special tokens included
	MinFrequency  int      // a merge must occur at least this often (0 or 1: any)
	LimitAlphabet int      // keep only the most frequent characters; 0 = all
	SpecialTokens []string // first in the vocabulary; default [PAD] [UNK] [CLS] [SEP] [MASK]
	// Config gives the normalization (lower-casing, accents, CJK) applied to
	// the corpus, and the continuation prefix. Zero value: DefaultConfig().
	Config *Config
}

// Train builds a WordPiece vocabulary from the lines of a corpus, the way
// HuggingFace's WordPieceTrainer does: words are normalized and
// pre-tokenized as the tokenizer would, the alphabet is seeded with single
// characters ("x" at the start of a word, "##x" inside one), and the most
// frequent adjacent pair of pieces is merged ("un" + "##related" ->
// "unrelated") until the vocabulary is full or no pair is frequent enough.
func Train(corpus io.Reader, opts TrainOptions) (*Vocab, error) {
	cfg := DefaultConfig()
	if opts.Config != nil {
		cfg = *opts.Config
	}
	specials := opts.SpecialTokens
	if specials == nil {
		specials = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
	}
	if opts.VocabSize < len(specials) {
		return nil, fmt.Errorf("train: vocab size %d is smaller than the %d special tokens", opts.VocabSize, len(specials))
	}
	counts, err := countWords(corpus, cfg)
	if err != nil {
		return nil, err
	}
	b := newBPE(specials)
	b.prefix = cfg.Prefix
	b.seed(counts, opts.LimitAlphabet)
	b.merge(opts.VocabSize, max(opts.MinFrequency, 1))
	return NewVocab(b.tokens)
}

// countWords normalizes and pre-tokenizes every line, counting words.
func countWords(corpus io.Reader, cfg Config) (map[string]int, error) {
	strip := cfg.Lowercase
	if cfg.StripAccents != nil {
		strip = *cfg.StripAccents
	}
	norm := normalizer{cleanText: cfg.CleanText, chineseChars: cfg.ChineseChars, stripAccents: strip, lowercase: cfg.Lowercase}
	counts := map[string]int{}
	sc := bufio.NewScanner(corpus)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	var buf []nchar
	var word strings.Builder
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		text = ReplaceInvalidUTF8(text) // a stray byte in a corpus should not stop training
		buf = norm.normalize(buf[:0], text, 0)
		splitWords(buf, func(w []nchar) {
			word.Reset()
			for _, c := range w {
				word.WriteRune(c.r)
			}
			counts[word.String()]++
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("train: reading corpus: %w", err)
	}
	return counts, nil
}

// bpe is the merge state: every distinct word as a list of piece ids.
type bpe struct {
	prefix string
	tokens []string
	ids    map[string]int
	words  [][]int
	freq   []int            // occurrences of each word
	pairs  map[[2]int]int   // occurrences of each adjacent pair
	where  map[[2]int][]int // words that (may) contain the pair
	queue  mergeQueue
}

func newBPE(specials []string) *bpe {
	b := &bpe{ids: map[string]int{}, pairs: map[[2]int]int{}, where: map[[2]int][]int{}}
	for _, s := range specials {
		b.add(s)
	}
	return b
}

func (b *bpe) add(tok string) int {
	if id, ok := b.ids[tok]; ok {
		return id
	}
	b.ids[tok] = len(b.tokens)
	b.tokens = append(b.tokens, tok)
	return len(b.tokens) - 1
}

// seed builds the alphabet (the limit most frequent characters, in code
// point order) and splits every word into characters; a character outside
// the alphabet is left out of the word, as in HuggingFace.
func (b *bpe) seed(counts map[string]int, limit int) {
	charFreq := map[rune]int{}
	for w, n := range counts {
		for _, r := range w {
			charFreq[r] += n
		}
	}
	alphabet := make([]rune, 0, len(charFreq))
	for r := range charFreq {
		alphabet = append(alphabet, r)
	}
	if limit > 0 && len(alphabet) > limit {
		sort.Slice(alphabet, func(i, j int) bool {
			a, c := alphabet[i], alphabet[j]
			return charFreq[a] > charFreq[c] || charFreq[a] == charFreq[c] && a < c
		})
		alphabet = alphabet[:limit]
	}
	sort.Slice(alphabet, func(i, j int) bool { return alphabet[i] < alphabet[j] })
	keep := map[rune]bool{}
	for _, r := range alphabet {
		keep[r] = true
		b.add(string(r))
	}

	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	sort.Strings(words) // deterministic ids for the "##x" pieces
	for _, w := range words {
		var syms []int
		first := true
		for _, r := range w {
			if !keep[r] {
				first = false
				continue
			}
			s := string(r)
			if !first {
				s = b.prefix + s
			}
			first = false
			syms = append(syms, b.add(s))
		}
		wi := len(b.words)
		b.words = append(b.words, syms)
		b.freq = append(b.freq, counts[w])
		for i := 0; i+1 < len(syms); i++ {
			p := [2]int{syms[i], syms[i+1]}
			b.pairs[p] += counts[w]
			b.where[p] = append(b.where[p], wi)
		}
	}
	for p, n := range b.pairs {
		b.queue = append(b.queue, merge{p, n})
	}
	heap.Init(&b.queue)
}

// merge repeatedly joins the most frequent pair (ties: the pair with the
// smaller ids) until the vocabulary has size tokens.
func (b *bpe) merge(size, minFreq int) {
	for len(b.tokens) < size && b.queue.Len() > 0 {
		top := heap.Pop(&b.queue).(merge)
		if cur := b.pairs[top.pair]; cur != top.count {
			// Stale entry: counts changed since it was pushed.
			if cur > 0 {
				heap.Push(&b.queue, merge{top.pair, cur})
			}
			continue
		}
		if top.count < minFreq {
			break
		}
		left, right := b.tokens[top.pair[0]], b.tokens[top.pair[1]]
		id := b.add(left + strings.TrimPrefix(right, b.prefix))
		touched := map[[2]int]bool{}
		seen := map[int]bool{}
		for _, wi := range b.where[top.pair] {
			if seen[wi] {
				continue
			}
			seen[wi] = true
			b.mergeWord(wi, top.pair, id, touched)
		}
		delete(b.where, top.pair)
		delete(b.pairs, top.pair)
		for p := range touched {
			if n := b.pairs[p]; n > 0 {
				heap.Push(&b.queue, merge{p, n})
			}
		}
	}
}

// mergeWord replaces every occurrence of pair in word wi by id, updating
// the counts of the neighbouring pairs.
func (b *bpe) mergeWord(wi int, pair [2]int, id int, touched map[[2]int]bool) {
	syms, n := b.words[wi], b.freq[wi]
	change := func(p [2]int, d int) {
		b.pairs[p] += d * n
		touched[p] = true
		if d > 0 {
			b.where[p] = append(b.where[p], wi)
		}
	}
	out := syms[:0]
	for i := 0; i < len(syms); i++ {
		if i+1 < len(syms) && syms[i] == pair[0] && syms[i+1] == pair[1] {
			if len(out) > 0 {
				change([2]int{out[len(out)-1], syms[i]}, -1)
				change([2]int{out[len(out)-1], id}, +1)
			}
			if i+2 < len(syms) {
				change([2]int{syms[i+1], syms[i+2]}, -1)
				change([2]int{id, syms[i+2]}, +1)
			}
			out = append(out, id)
			i++
			continue
		}
		out = append(out, syms[i])
	}
	b.words[wi] = out
}

// merge is a candidate pair and its count when queued.
type merge struct {
	pair  [2]int
	count int
}

// mergeQueue is a max-heap on count, then on the smaller pair.
type mergeQueue []merge

func (q mergeQueue) Len() int { return len(q) }
func (q mergeQueue) Less(i, j int) bool {
	if q[i].count != q[j].count {
		return q[i].count > q[j].count
	}
	if q[i].pair[0] != q[j].pair[0] {
		return q[i].pair[0] < q[j].pair[0]
	}
	return q[i].pair[1] < q[j].pair[1]
}
func (q mergeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *mergeQueue) Push(x any)   { *q = append(*q, x.(merge)) }
func (q *mergeQueue) Pop() any {
	old := *q
	m := old[len(old)-1]
	*q = old[:len(old)-1]
	return m
}
