package gx

import (
	"runtime"
	"sync"
)

// workers is how many goroutines a large kernel is split over.
var workers = max(1, min(runtime.GOMAXPROCS(0), 8))

// minParallelWork is the least work (about one element's worth of
// arithmetic per unit) that is worth a goroutine: below it the start-up
// and synchronisation cost more than they save.
const minParallelWork = 1 << 15

// parallelRows runs fn over [0, rows) in contiguous blocks, one per worker,
// when rows·costPerRow is large enough; else in the calling goroutine.
// Blocks are disjoint, so kernels that write only their own rows need no
// locking.
func parallelRows(rows, costPerRow int, fn func(lo, hi int)) {
	parallelRowsIndexed(rows, costPerRow, func(_, lo, hi int) { fn(lo, hi) })
}

// parallelRowsIndexed is parallelRows that also passes each block's index
// (0 ≤ block < workers), for kernels that keep a partial result per block
// and combine them in a fixed order (deterministic sums).
func parallelRowsIndexed(rows, costPerRow int, fn func(block, lo, hi int)) {
	if workers <= 1 || rows < 2 || rows*costPerRow < minParallelWork {
		fn(0, 0, rows)
		return
	}
	parallelBlocksIndexed(rows, workers, 1, fn)
}

// parallelBlocks splits [0, n) into at most parts blocks (each a multiple
// of align long, except the last) and runs them concurrently, the last one
// in the calling goroutine.
func parallelBlocks(n, parts, align int, fn func(lo, hi int)) {
	parallelBlocksIndexed(n, parts, align, func(_, lo, hi int) { fn(lo, hi) })
}

func parallelBlocksIndexed(n, parts, align int, fn func(block, lo, hi int)) {
	size := (n + parts - 1) / parts
	size = (size + align - 1) / align * align
	if size >= n {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	lo, i := 0, 0
	for ; lo+size < n; lo, i = lo+size, i+1 {
		wg.Add(1)
		go func(i, lo, hi int) {
			defer wg.Done()
			fn(i, lo, hi)
		}(i, lo, lo+size)
	}
	fn(i, lo, n)
	wg.Wait()
}

// parallelClear zeroes s, in parallel when it is large.
func parallelClear[T Float](s []T) {
	parallelRows(len(s)/1024+1, 1024, func(lo, hi int) {
		clear(s[min(lo*1024, len(s)):min(hi*1024, len(s))])
	})
}
