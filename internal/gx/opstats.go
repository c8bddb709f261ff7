package gx

import (
	"sort"
	"strings"
	"sync"
	"time"
)

// Op statistics: wall time, calls and matmul FLOPs per kind of project op
// (the op name up to its parameters, e.g. "gx.MatMul"), for profiling
// where a graph's time goes. Off by default; the cost when off is one
// atomic-free bool test per op run.

// OpStat is the total for one kind of op.
type OpStat struct {
	Kind  string
	Calls int
	Time  time.Duration
	FLOPs float64 // 2·m·n·k of the gemms the op ran (0 for non-matmul ops)
}

var opStats struct {
	sync.Mutex
	on    bool
	byOp  map[string]*OpStat
	flops float64 // FLOPs of the op running now (ops run one at a time on a machine)
}

// EnableOpStats turns collection on or off and clears the totals.
func EnableOpStats(on bool) {
	opStats.Lock()
	defer opStats.Unlock()
	opStats.on, opStats.byOp = on, map[string]*OpStat{}
}

// OpStats returns the totals since EnableOpStats, slowest first.
func OpStats() []OpStat {
	opStats.Lock()
	defer opStats.Unlock()
	out := make([]OpStat, 0, len(opStats.byOp))
	for _, s := range opStats.byOp {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time > out[j].Time })
	return out
}

func opKind(name string) string {
	if i := strings.IndexByte(name, '{'); i >= 0 {
		return name[:i]
	}
	return name
}

// countFLOPs adds a gemm's FLOPs to the running op while stats are on.
func countFLOPs(m, n, k int) {
	if opStats.on {
		opStats.Lock()
		opStats.flops += 2 * float64(m) * float64(n) * float64(k)
		opStats.Unlock()
	}
}

func recordOp(name string, start time.Time) {
	d := time.Since(start)
	opStats.Lock()
	defer opStats.Unlock()
	k := opKind(name)
	s := opStats.byOp[k]
	if s == nil {
		s = &OpStat{Kind: k}
		opStats.byOp[k] = s
	}
	s.Calls++
	s.Time += d
	s.FLOPs += opStats.flops
	opStats.flops = 0
}
