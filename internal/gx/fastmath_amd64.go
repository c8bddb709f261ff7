package gx

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernels in fastmath_amd64.s.
var useAVX2 = cpu.X86.HasAVX2

//go:noescape
func geluAVX2(dst, src, dy *float32, n int)

//go:noescape
func expShiftAVX2(dst, src *float32, n int, shift float32)

// geluVec runs the AVX2 GELU over the largest multiple of 8 elements and
// returns how many it did.
func geluVec(dst, src, dy []float32) int {
	n := len(src) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	var d *float32
	if dy != nil {
		d = &dy[0]
	}
	geluAVX2(&dst[0], &src[0], d, n)
	return n
}

// expShiftVec sets dst[i] = e^(src[i] − shift) over the largest multiple of
// 8 elements and returns how many it did.
func expShiftVec(dst, src []float32, shift float32) int {
	n := len(src) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	expShiftAVX2(&dst[0], &src[0], n, shift)
	return n
}
