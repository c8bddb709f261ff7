// Package openblas links OpenBLAS (cgo, -lopenblas) into gx's -tags openblas
// build and exposes its thread setting; without the tag it is empty. It is a
// package of its own because a package that uses cgo cannot also hold Go
// assembly (gx's AVX2 kernels).
package openblas
