//go:build openblas

package gx

import (
	"os"

	"github.com/gorbert/gorbert/internal/gx/openblas"
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// With -tags openblas every gemm (ours through G.WhichBLAS(), and Gorgonia's
// own Mul/BatchedMatMul through tensor's BLAS) runs in OpenBLAS via cgo.
// Building needs Debian's libopenblas-dev (running, libopenblas0).
//
// Threads: by default OpenBLAS is pinned to one thread and gx splits each
// large gemm (and the attention heads) over GOMAXPROCS goroutines itself, so
// OpenBLAS's worker threads never spin on the cores that Go's elementwise
// kernels need (see ../shared/perf/README.md §3, contention). Setting
// OPENBLAS_NUM_THREADS in the environment hands the threading back to
// OpenBLAS (and gx runs each gemm as one call).
func init() {
	G.Use(netlib.Implementation{})
	if _, set := os.LookupEnv("OPENBLAS_NUM_THREADS"); set || workers <= 1 {
		return
	}
	openblas.SetThreads(1)
	gemmSplit = workers
}

// BLASName names the BLAS this binary was built with.
const BLASName = "openblas"
