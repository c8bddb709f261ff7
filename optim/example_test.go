package optim_test

import (
	"fmt"

	"github.com/gorbert/gorbert/optim"
)

// A training loop over two parameters: zero the gradients, accumulate two
// micro-batches (here: fixed gradients standing in for backward of
// loss/2), clip to global norm 1, step with the warmup+linear-decay
// learning rate.
func Example() {
	w := []float32{0.5, -0.25}
	b := []float32{0.1}
	params := []optim.Param{
		{Name: "classifier.weight", Value: w, Grad: make([]float32, 2)},
		{Name: "classifier.bias", Value: b, Grad: make([]float32, 1)},
	}
	cfg := optim.DefaultAdamWConfig()
	cfg.Eps = 1e-6
	opt, err := optim.NewAdamW(params, cfg)
	if err != nil {
		panic(err)
	}
	const steps, accum = 3, 2
	sched := optim.LinearWarmupDecay(1e-3, 1, steps)
	for k := 0; k < steps; k++ {
		optim.ZeroGrads(params)
		for j := 0; j < accum; j++ {
			// backward((loss_j) / accum) adds into Grad
			params[0].Grad[0] += 2.0 / accum
			params[0].Grad[1] += -1.0 / accum
			params[1].Grad[0] += 0.5 / accum
		}
		norm, coef := optim.ClipGradNorm(params, 1.0)
		lr := sched(int(opt.StepCount()))
		opt.Step(lr)
		fmt.Printf("step %d: lr=%.4g norm=%.4f coef=%.4f w=%.6f b=%.6f\n", k, lr, norm, coef, w, b)
	}
	// Output:
	// step 0: lr=0 norm=2.2913 coef=0.4364 w=[0.500000 -0.250000] b=[0.100000]
	// step 1: lr=0.001 norm=2.2913 coef=0.4364 w=[0.498995 -0.248997] b=[0.099000]
	// step 2: lr=0.0005 norm=2.2913 coef=0.4364 w=[0.498493 -0.248496] b=[0.098500]
}
