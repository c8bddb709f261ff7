package optim

import (
	"fmt"
	"math"
	"strings"
)

// Param is one trainable tensor as the optimizer sees it: the live float32
// backing arrays of the weight tensor (Value, updated in place by Step) and of
// its gradient accumulator (Grad, read by Step, scaled by ClipGradNorm and
// ScaleGrads, cleared by ZeroGrads). Name is the canonical HuggingFace
// state-dict key (it selects the decay group and names the saved state).
// Shape is optional: it is only used as the shape of the saved moment
// tensors (nil means a flat vector of len(Value)).
//
// A tied tensor (the MLM decoder weight = the word-embedding matrix) must be
// passed once, as torch's model.parameters() yields it once.
type Param struct {
	Name        string
	Value, Grad []float32
	Shape       []int
}

// validateParams checks names, sizes and aliasing once, at construction, so
// that Step can run without checks.
func validateParams(params []Param) error {
	seen := make(map[string]bool, len(params))
	backing := make(map[*float32]string, len(params))
	for i, p := range params {
		if p.Name == "" {
			return fmt.Errorf("optim: parameter %d has no name", i)
		}
		if seen[p.Name] {
			return fmt.Errorf("optim: parameter %q given twice", p.Name)
		}
		seen[p.Name] = true
		if len(p.Value) != len(p.Grad) {
			return fmt.Errorf("optim: parameter %q: value has %d elements, gradient %d", p.Name, len(p.Value), len(p.Grad))
		}
		if p.Shape != nil {
			n := 1
			for _, d := range p.Shape {
				n *= d
			}
			if n != len(p.Value) {
				return fmt.Errorf("optim: parameter %q: shape %v holds %d elements, value has %d", p.Name, p.Shape, n, len(p.Value))
			}
		}
		if len(p.Value) == 0 {
			continue
		}
		// A tensor listed twice under two names (e.g. a tied weight) would be
		// decayed and updated twice per step.
		if other, ok := backing[&p.Value[0]]; ok {
			return fmt.Errorf("optim: parameters %q and %q share one backing array (pass a tied tensor once)", other, p.Name)
		}
		backing[&p.Value[0]] = p.Name
		if &p.Grad[0] == &p.Value[0] {
			return fmt.Errorf("optim: parameter %q: gradient aliases the value", p.Name)
		}
	}
	return nil
}

// DecayGroup reports whether the parameter called name gets weight decay,
// by the HuggingFace convention (run_glue.py / Trainer before
// get_decay_parameter_names: no_decay = ["bias", "LayerNorm.weight"]): every
// bias (including cls.predictions.bias) and every LayerNorm weight is
// excluded. Legacy TF-converted names LayerNorm.gamma / LayerNorm.beta are
// excluded too. Everything else (embeddings, the tied decoder, dense
// kernels) is decayed. This is the grouping the conformance fixtures use
// (case.json decay_params / no_decay_params).
func DecayGroup(name string) bool {
	for _, s := range []string{"bias", "LayerNorm.weight", "LayerNorm.gamma", "LayerNorm.beta"} {
		if strings.Contains(name, s) {
			return false
		}
	}
	return true
}

// TFBERTDecayGroup is the rule of google-research/bert optimization.py
// (exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"], matched
// with re.search): any name containing one of those substrings is not
// decayed.
func TFBERTDecayGroup(name string) bool {
	for _, s := range []string{"LayerNorm", "layer_norm", "bias"} {
		if strings.Contains(name, s) {
			return false
		}
	}
	return true
}

// DecayAll decays every parameter (torch's behaviour with a single group).
func DecayAll(string) bool { return true }

// ZeroGrads clears every gradient accumulator (torch's zero_grad with
// set_to_none=False). Call it before the first micro-batch of each step.
func ZeroGrads(params []Param) {
	for _, p := range params {
		clear(p.Grad)
	}
}

// ScaleGrads multiplies every gradient by s. With gradient accumulation over
// k micro-batches the trainer either divides each micro-batch loss by k
// (as HF does: (loss / grad_accum).backward()) or accumulates the raw
// gradients and calls ScaleGrads(params, 1/k) once; the two agree up to
// float32 rounding.
func ScaleGrads(params []Param, s float32) {
	for _, p := range params {
		g := p.Grad
		for i := range g {
			g[i] *= s
		}
	}
}

// tensorNorm is the float32 L2 norm of one gradient, accumulated in float64
// (torch.linalg.vector_norm of a float32 tensor returns a float32 result;
// its float32 accumulation is within a few ulp of this correctly rounded
// value).
func tensorNorm(g []float32) float32 {
	var s float64
	for _, x := range g {
		s += float64(x) * float64(x)
	}
	return float32(math.Sqrt(s))
}

// GradNorm is the global L2 norm of all gradients as
// torch.nn.utils.clip_grad_norm_ (norm_type 2, foreach=False) computes it:
// the float32 norm of each gradient, then the float32 norm of those norms.
// It returns 0 for no parameters, and Inf/NaN when a gradient is not finite.
func GradNorm(params []Param) float64 {
	var s float64
	for _, p := range params {
		n := float64(tensorNorm(p.Grad))
		s += n * n
	}
	return float64(float32(math.Sqrt(s)))
}

// clipEps is the constant torch.nn.utils.clip_grad_norm_ adds to the norm
// (clip_coef = max_norm / (total_norm + 1e-6)).
const clipEps = 1e-6

// ClipGradNorm clips the gradients in place by their global norm, exactly
// as torch.nn.utils.clip_grad_norm_(params, maxNorm) (torch 2.11,
// foreach=False, error_if_nonfinite=False): norm = GradNorm(params),
// coef = min(1, maxNorm / (norm + 1e-6)) in float32, and every gradient is
// multiplied by coef, also when coef is 1 (which leaves it unchanged).
// It returns the norm before clipping and the coefficient. A non-finite
// norm gives a NaN or zero coefficient, as in torch; check norm first if
// steps with overflowing gradients should be skipped.
//
// Note this is not tf.clip_by_global_norm (TF BERT), which uses
// maxNorm / max(norm, maxNorm) with no epsilon.
func ClipGradNorm(params []Param, maxNorm float64) (norm, coef float64) {
	if len(params) == 0 {
		return 0, 1
	}
	n32 := float32(GradNorm(params))
	c32 := float32(maxNorm) / (n32 + float32(clipEps))
	if c32 > 1 {
		c32 = 1 // torch.clamp(clip_coef, max=1.0); a NaN stays NaN
	}
	ScaleGrads(params, c32)
	return float64(n32), float64(c32)
}
