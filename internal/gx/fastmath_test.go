package gx

import (
	"math"
	"math/rand"
	"testing"
)

func TestExpfAccuracy(t *testing.T) {
	worst := 0.0
	for x := -87.0; x <= 88.0; x += 0.00137 {
		got := float64(expf(float32(x)))
		want := math.Exp(float64(float32(x)))
		if e := math.Abs(got-want) / want; e > worst {
			worst = e
		}
	}
	if worst > 3e-7 {
		t.Fatalf("expf relative error %g", worst)
	}
	if expf(-100) != 0 || !math.IsInf(float64(expf(100)), 1) || expf(0) != 1 {
		t.Fatalf("expf limits: %g %g %g", expf(-100), expf(100), expf(0))
	}
}

func TestGELUFloat32Accuracy(t *testing.T) {
	for _, name := range []string{GELU, GELUTanh} {
		worstY, worstD := 0.0, 0.0
		for x := -12.0; x <= 12.0; x += 0.0013 {
			xf := float32(x)
			var y, d float32
			if name == GELU {
				y, d = geluf(xf), geluGradf(xf)
			} else {
				y, d = geluTanhf(xf)
			}
			wy, wd := activate(name, float64(xf)), activateGrad(name, float64(xf))
			worstY = math.Max(worstY, math.Abs(float64(y)-wy)/math.Max(1, math.Abs(wy)))
			worstD = math.Max(worstD, math.Abs(float64(d)-wd))
		}
		if worstY > 5e-7 || worstD > 3e-6 {
			t.Errorf("%s: float32 value error %g, derivative error %g", name, worstY, worstD)
		}
	}
}

var sinkF32 float32

func BenchmarkExpf(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = -float32(i%200) * 0.05
	}
	b.ResetTimer()
	var s float32
	for i := 0; i < b.N; i++ {
		for _, x := range xs {
			s += expf(x)
		}
	}
	sinkF32 = s
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/elem")
}

func BenchmarkGELUf(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = float32(i%200-100) * 0.05
	}
	b.ResetTimer()
	var s float32
	for i := 0; i < b.N; i++ {
		for _, x := range xs {
			s += geluf(x)
		}
	}
	sinkF32 = s
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/elem")
}

func TestSliceKernelsMatchScalar(t *testing.T) {
	src := make([]float32, 3001)
	dy := make([]float32, len(src))
	for i := range src {
		src[i] = float32(i-1500) * 0.011
		dy[i] = float32(i%7) - 3
	}
	dst := make([]float32, len(src))
	sum := expShiftSum(dst, src, 2)
	var want float64
	for i, v := range src {
		e := expf(v - 2)
		want += float64(e)
		if dst[i] != e {
			t.Fatalf("expShiftSum[%d] = %g, expf %g", i, dst[i], e)
		}
	}
	if sum != want {
		t.Fatalf("sum %g, want %g", sum, want)
	}
	geluSlice(dst, src, nil)
	for i, v := range src {
		if w := geluf(v); math.Abs(float64(dst[i]-w)) > 1e-6*math.Max(1, math.Abs(float64(w))) {
			t.Fatalf("geluSlice[%d] = %g, geluf %g", i, dst[i], w)
		}
	}
	geluSlice(dst, src, dy)
	for i, v := range src {
		if w := geluGradf(v) * dy[i]; math.Abs(float64(dst[i]-w)) > 1e-6*math.Max(1, math.Abs(float64(w))) {
			t.Fatalf("geluSlice grad[%d] = %g, want %g", i, dst[i], w)
		}
	}
}

func BenchmarkGELUSlice(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = float32(i%200-100) * 0.05
	}
	dst := make([]float32, len(xs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		geluSlice(dst, xs, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/elem")
}

func BenchmarkExpShiftSum(b *testing.B) {
	xs := make([]float32, 4096)
	for i := range xs {
		xs[i] = -float32(i%200) * 0.05
	}
	dst := make([]float32, len(xs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		expShiftSum(dst, xs, 0)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/elem")
}

func BenchmarkGELUOp_128x3072(b *testing.B) {
	xs := make([]float32, 128*3072)
	for i := range xs {
		xs[i] = float32(i%200-100) * 0.02
	}
	dst := make([]float32, len(xs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		parallelRows(len(xs), 20, func(lo, hi int) { applyActivation32(dst[lo:hi], xs[lo:hi], nil, GELU) })
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/elem")
}

func BenchmarkGELUSerial_1M(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	xs := make([]float32, 1<<20)
	for i := range xs {
		xs[i] = float32(rng.NormFloat64() * 0.3)
	}
	dst := make([]float32, len(xs))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		geluSlice(dst, xs, nil)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(xs)), "ns/elem")
}

// TestVectorKernelsBitIdentical compares the AVX2 kernels with the scalar
// loops (forced by turning the vector path off) on awkward inputs.
func TestVectorKernelsBitIdentical(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewSource(9))
	src := make([]float32, 4099)
	dy := make([]float32, len(src))
	for i := range src {
		switch i % 11 {
		case 0:
			src[i] = float32(rng.NormFloat64() * 30)
		case 1:
			src[i] = -src[i-1]
		default:
			src[i] = float32(rng.NormFloat64())
		}
		dy[i] = float32(rng.NormFloat64())
	}
	src[5], src[6], src[7] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))
	src[8], src[9] = 0, float32(math.Copysign(0, -1))
	run := func(vec bool) [][]float32 {
		useAVX2 = vec
		defer func() { useAVX2 = true }()
		a, b, c := make([]float32, len(src)), make([]float32, len(src)), make([]float32, len(src))
		geluSlice(a, src, nil)
		geluSlice(b, src, dy)
		s := expShiftSum(c, src, 1.5)
		return [][]float32{a, b, c, {float32(s)}}
	}
	want, got := run(false), run(true)
	for k := range want {
		for i := range want[k] {
			w, g := want[k][i], got[k][i]
			if math.Float32bits(w) != math.Float32bits(g) && !(w != w && g != g) {
				t.Fatalf("kernel %d element %d (x = %g): vector %g, scalar %g", k, i, src[min(i, len(src)-1)], g, w)
			}
		}
	}
}
