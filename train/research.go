package train

import (
	"strconv"

	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/optim"
)

// RunSteps is the research probe behind `train step`: it evaluates the
// model's own loss on one batch, takes the gradient of every parameter, and
// runs `steps` optimizer steps on the same batch. The result uses the tensor
// names of the conformance fixtures' train.safetensors: loss (and its terms),
// grad_norm, grad.<param> at the initial weights, after.<param> after step 1,
// and loss_step<k> / after_step<k>.<param> for k >= 2 (unclipped steps). With
// clip > 0 it adds clip_coef = min(1, clip/(grad_norm + 1e-6)) and
// after_clip.<param>: one step of a fresh optimizer on the clipped gradient.
// params is updated in place.
func RunSteps(params *graph.Params, b graph.Batch, steps int, lr, clip float64, newOpt func([]optim.Param) (optim.Optimizer, error)) (map[string]checkpoint.Tensor, error) {
	var initial *graph.Params
	if clip > 0 {
		initial = params.Clone()
	}
	s, err := NewStepper(params, StepConfig{}, newOpt)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	out := map[string]checkpoint.Tensor{}
	scalar := func(name string, v float64) {
		out[name] = checkpoint.Tensor{Shape: []int{1}, Data: []float32{float32(v)}}
	}
	for k := 1; k <= steps; k++ {
		losses, err := s.Accumulate(b, 1)
		if err != nil {
			return nil, err
		}
		if k == 1 {
			for name, v := range losses {
				scalar(name, v)
			}
			for _, p := range s.OptimParams() {
				out["grad."+p.Name] = checkpoint.Tensor{Shape: p.Shape, Data: append([]float32(nil), p.Grad...)}
			}
		} else {
			scalar("loss_step"+strconv.Itoa(k), losses["loss"])
		}
		norm, _, err := s.Apply(lr)
		if err != nil {
			return nil, err
		}
		if k == 1 {
			scalar("grad_norm", norm)
		}
		prefix := "after."
		if k > 1 {
			prefix = "after_step" + strconv.Itoa(k) + "."
		}
		for _, p := range s.OptimParams() {
			out[prefix+p.Name] = checkpoint.Tensor{Shape: p.Shape, Data: append([]float32(nil), p.Value...)}
		}
	}
	if clip > 0 {
		c, err := NewStepper(initial, StepConfig{MaxGradNorm: clip}, newOpt)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		if _, err := c.Accumulate(b, 1); err != nil {
			return nil, err
		}
		_, coef, err := c.Apply(lr)
		if err != nil {
			return nil, err
		}
		scalar("clip_coef", coef)
		for _, p := range c.OptimParams() {
			out["after_clip."+p.Name] = checkpoint.Tensor{Shape: p.Shape, Data: append([]float32(nil), p.Value...)}
		}
	}
	return out, nil
}
