package gx

import (
	"math"
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
				y, d = geluf(xf)
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
