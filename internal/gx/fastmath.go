package gx

import "math"

// float32 kernels for the transcendental functions in the hot loops. The
// float64 kernels (gradient checks) keep the math package's functions.

// expf is e^x in float32 (Cephes expf: range reduction by ln 2, degree-6
// polynomial; relative error ≤ 2 ulp). Below −87.3 it returns 0 (no
// denormals), above 88.7 +Inf; NaN stays NaN.
func expf(x float32) float32 {
	const (
		log2e = 1.44269504088896341
		c1    = 0.693359375
		c2    = -2.12194440e-4
	)
	switch {
	case x > 88.72283:
		return float32(math.Inf(1))
	case x < -87.33654:
		return 0
	case x != x:
		return x
	}
	fn := float32(math.Floor(float64(x*log2e + 0.5)))
	r := x - fn*c1 - fn*c2
	p := float32(1.9875691500e-4)
	p = p*r + 1.3981999507e-3
	p = p*r + 8.3334519073e-3
	p = p*r + 4.1665795894e-2
	p = p*r + 1.6666665459e-1
	p = p*r + 5.0000001201e-1
	p = p*r*r + r + 1
	return p * math.Float32frombits(uint32(int32(fn)+127)<<23)
}

// geluf is the exact (erf) GELU, 0.5·x·(1 + erf(x/√2)), and its derivative,
// in float32. erf uses Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7,
// PyTorch's vectorised CPU erf uses the same formula).
func geluf(x float32) (y, dydx float32) {
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
	e := expf(-z * z) // = exp(-x²/2)
	erf := 1 - ((((a5*t+a4)*t+a3)*t+a2)*t+a1)*t*e
	if z < 0 {
		erf = -erf
	}
	cdf := 0.5 * (1 + erf)
	return x * cdf, cdf + x*invSqrt2Pi*e
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
