//go:build !openblas

package gx

// BLASName names the BLAS this binary was built with: gonum's pure-Go BLAS by
// default, OpenBLAS with -tags openblas (blas_openblas.go).
const BLASName = "gonum"
