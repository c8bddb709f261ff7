//go:build openblas

package gx

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// With -tags openblas every gemm (ours through G.WhichBLAS(), and Gorgonia's
// own Mul/BatchedMatMul through tensor's BLAS) runs in OpenBLAS via cgo.
// Build needs Debian's libopenblas-dev; OPENBLAS_NUM_THREADS sets its threads.
func init() { G.Use(netlib.Implementation{}) }

// BLASName names the BLAS this binary was built with.
const BLASName = "openblas"
