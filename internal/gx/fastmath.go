package gx

import "math"

// float32 kernels for the transcendental functions in the hot loops. The
// float64 kernels (gradient checks) keep the math package's functions.

// expf is e^x in float32 (Cephes expf: range reduction by ln 2 with the
// round-to-nearest "magic number" trick, degree-6 polynomial; relative error
// ≤ 2 ulp). Below −87.3 it returns 0 (no denormals), above 88.37 +Inf (a
// little early: the kernels only take e^x of x ≤ 18); NaN stays NaN.
func expf(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		c1    = 0.693359375
		c2    = -2.12194440e-4
		magic = 12582912 // 1.5·2²³: adding it rounds a float32 to an integer
	)
	if x < -87.33654 {
		return 0
	}
	if x > 88.37626 {
		return float32(math.Inf(1))
	}
	t := x*log2e + magic
	n := int32(math.Float32bits(t) - math.Float32bits(magic)) // round(x·log2 e)
	fn := t - magic
	r := x - fn*c1 - fn*c2
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	p = p*r*r + r + 1
	return p * math.Float32frombits(uint32(n+127)<<23)
}

// geluf is the exact (erf) GELU, 0.5·x·(1 + erf(x/√2)), in float32; erff
// returns the normal CDF Φ(x) = 0.5·(1 + erf(x/√2)) and e^{−x²/2}, which the
// derivative Φ(x) + x·φ(x) reuses.
func geluf(x float32) float32 {
	cdf, _ := normCDFf(x)
	return x * cdf
}

// geluGradf is d/dx GELU(x) in float32.
func geluGradf(x float32) float32 {
	cdf, e := normCDFf(x)
	return cdf + x*invSqrt2Pi*e
}

// normCDFf uses Abramowitz & Stegun 7.1.26 for erf (absolute error ≤
// 1.5e-7; PyTorch's vectorised CPU erf uses the same formula).
func normCDFf(x float32) (cdf, e float32) {
	const (
		p  = 0.3275911
		a1 = 0.254829592
		a2 = -0.284496736
		a3 = 1.421413741
		a4 = -1.453152027
		a5 = 1.061405429
	)
	z := x * (1 / sqrt2)
	az := z
	if az < 0 {
		az = -az
	}
	t := 1 / (1 + p*az)
	e = expf(-z * z)                                       // = exp(-x²/2)
	half := 0.5 * ((((a5*t+a4)*t+a3)*t+a2)*t + a1) * t * e // 0.5·(1 − erf|z|)
	if z < 0 {
		return half, e
	}
	return 1 - half, e
}

// geluTanhf is the tanh GELU and its derivative in float32.
func geluTanhf(x float32) (y, dydx float32) {
	u := sqrt2OverPi * (x + 0.044715*x*x*x)
	t := tanhf(u)
	return 0.5 * x * (1 + t), 0.5*(1+t) + 0.5*x*(1-t*t)*sqrt2OverPi*(1+3*0.044715*x*x)
}

// tanhf is tanh in float32 through expf: 1 − 2/(e^{2u}+1), with the small-u
// series where that loses precision.
func tanhf(u float32) float32 {
	au := u
	if au < 0 {
		au = -au
	}
	if au < 0.004 {
		return u - u*u*u/3
	}
	if au > 9 {
		if u < 0 {
			return -1
		}
		return 1
	}
	return 1 - 2/(expf(2*u)+1)
}

// The slice kernels below repeat expf's body inside their loops: expf is
// too large for Go's inliner, and the call costs as much as the arithmetic.

// expShiftSum sets dst[i] = e^(src[i] − shift) and returns their sum (in
// float64); with dst nil it only sums.
func expShiftSum(dst, src []float32, shift float32) float64 {
	const (
		log2e = 1.44269504088896341
		c1    = 0.693359375
		c2    = -2.12194440e-4
		magic = 12582912
	)
	store := dst != nil
	var sum float64
	k := 0
	if store {
		dst = dst[:len(src)]
		k = expShiftVec(dst, src, shift) // AVX2: the same values, 8 at a time
		for _, y := range dst[:k] {
			sum += float64(y)
		}
	}
	for i := k; i < len(src); i++ {
		v := src[i]
		x := v - shift
		var y float32
		switch {
		case x < -87.33654:
			y = 0
		case x > 88.37626:
			y = float32(math.Inf(1))
		default:
			t := x*log2e + magic
			n := int32(math.Float32bits(t) - math.Float32bits(magic))
			fn := t - magic
			r := x - fn*c1 - fn*c2
			p := float32(1.9875691500e-4)
			p = p*r + 1.3981999507e-3
			p = p*r + 8.3334519073e-3
			p = p*r + 4.1665795894e-2
			p = p*r + 1.6666665459e-1
			p = p*r + 5.0000001201e-1
			p = p*r*r + r + 1
			y = p * math.Float32frombits(uint32(n+127)<<23)
		}
		if store {
			dst[i] = y
		}
		sum += float64(y)
	}
	return sum
}

// geluSlice sets dst = GELU(src) (exact erf form), or with dy != nil
// dst = GELU'(src)·dy, as geluf and geluGradf.
func geluSlice(dst, src, dy []float32) {
	const (
		log2e = 1.44269504088896341
		c1    = 0.693359375
		c2    = -2.12194440e-4
		magic = 12582912
		p     = 0.3275911
		a1    = 0.254829592
		a2    = -0.284496736
		a3    = 1.421413741
		a4    = -1.453152027
		a5    = 1.061405429
	)
	dst = dst[:len(src)]
	if dy != nil {
		dy = dy[:len(src)]
	}
	k := geluVec(dst, src, dy) // AVX2: the same values, 8 at a time
	for i := k; i < len(src); i++ {
		v := src[i]
		// Branch-free in the sign of v: activations are positive or
		// negative at random, and a mispredicted branch costs more than
		// the arithmetic.
		z := v * (1 / sqrt2)
		zb := math.Float32bits(z)
		az := math.Float32frombits(zb &^ (1 << 31))
		pos := float32(1 - zb>>31) // 1 for z ≥ 0, 0 for z < 0
		t := 1 / (1 + p*az)
		x := -z * z // e = e^x = e^{−v²/2}
		var e float32
		if x >= -87.33654 {
			tt := x*log2e + magic
			n := int32(math.Float32bits(tt) - math.Float32bits(magic))
			fn := tt - magic
			r := x - fn*c1 - fn*c2
			q := float32(1.9875691500e-4)
			q = q*r + 1.3981999507e-3
			q = q*r + 8.3334519073e-3
			q = q*r + 4.1665795894e-2
			q = q*r + 1.6666665459e-1
			q = q*r + 5.0000001201e-1
			q = q*r*r + r + 1
			e = q * math.Float32frombits(uint32(n+127)<<23)
		}
		half := 0.5 * ((((a5*t+a4)*t+a3)*t+a2)*t + a1) * t * e // 0.5·(1 − erf|z|)
		cdf := half + pos*(1-2*half)                           // Φ(v)
		if dy == nil {
			dst[i] = v * cdf
		} else {
			dst[i] = (cdf + v*invSqrt2Pi*e) * dy[i]
		}
	}
}
