//go:build openblas

// Package openblas links OpenBLAS (cgo, -lopenblas) for gx's -tags openblas
// build and exposes its thread setting. It is a package of its own because
// a package that uses cgo cannot also hold Go assembly (gx's AVX2 kernels).
package openblas

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int num_threads);
import "C"

// SetThreads sets the number of threads OpenBLAS's gemms use.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }
