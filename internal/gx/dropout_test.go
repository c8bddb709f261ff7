package gx_test

import (
	"math"
	"math/rand"
	"testing"

	"github.com/gorbert/gorbert/internal/gradcheck"
	"github.com/gorbert/gorbert/internal/gx"
	"gorgonia.org/tensor"
)

// TestDropoutMaskStatistics: with a fixed seed, masks hold only 0 and
// 1/(1-p), the kept fraction is 1-p within binomial noise, the same seed
// gives the same mask, and the gradient flows only through kept units,
// scaled by 1/(1-p) (Gorgonia's own Dropout scales by 1/p).
func TestDropoutMaskStatistics(t *testing.T) {
	for _, p := range []float64{0.1, 0.5} {
		b := gx.NewBuilder(tensor.Float32)
		x := b.Input("x", 100, 100)
		b.Dropout(x, p)
		masks := b.DropoutMasks()
		if len(masks) != 1 || masks[0].P != p {
			t.Fatalf("masks = %+v", masks)
		}
		if err := gx.FillDropout(rand.New(rand.NewSource(1)), masks); err != nil {
			t.Fatal(err)
		}
		m := append([]float32(nil), masks[0].Node.Value().(*tensor.Dense).Data().([]float32)...)
		keep := float32(1 / (1 - p))
		kept := 0
		for _, v := range m {
			switch v {
			case 0:
			case keep:
				kept++
			default:
				t.Fatalf("mask value %g is neither 0 nor %g", v, keep)
			}
		}
		n := float64(len(m))
		sd := math.Sqrt(n * p * (1 - p))
		if math.Abs(float64(kept)-n*(1-p)) > 5*sd {
			t.Errorf("p=%g: kept %d of %d, want %.0f ± %.0f", p, kept, len(m), n*(1-p), 5*sd)
		}
		if err := gx.FillDropout(rand.New(rand.NewSource(1)), masks); err != nil {
			t.Fatal(err)
		}
		again := masks[0].Node.Value().(*tensor.Dense).Data().([]float32)
		for i := range m {
			if again[i] != m[i] {
				t.Fatal("the same seed drew a different mask")
			}
		}
	}
}

func TestDropoutGradient(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	var masks []gx.DropoutMask
	check(t, gradcheck.Case{
		Params: map[string]*tensor.Dense{"x": gradcheck.Rand(rng, 4, 5)},
		Build: func(b *gx.Builder, p map[string]*gx.Node) *gx.Node {
			y := b.Dropout(p["x"], 0.3)
			masks = b.DropoutMasks()
			if err := gx.FillDropout(rand.New(rand.NewSource(2)), masks); err != nil {
				b.Fail("%v", err)
			}
			return y
		},
	})
}
