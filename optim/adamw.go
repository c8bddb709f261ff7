package optim

import (
	"errors"
	"fmt"
	"math"
	"sync"
)

// Optimizer is what the trainer drives, once per optimizer step:
//
//	optim.ZeroGrads(params)                        // 1. clear accumulators
//	for each micro-batch: backward(loss / k)       // 2. accumulate
//	norm, coef := optim.ClipGradNorm(params, 1.0)  // 3. clip (optional)
//	opt.Step(sched(opt.StepCount()))               // 4. update with lr_k
//
// Step never allocates and never fails: everything is checked at
// construction. StateTensors / LoadStateTensors expose the full state
// (moments, step count, hyper-parameters, decay groups) for checkpoints;
// SaveState / LoadState write it to a safetensors file.
type Optimizer interface {
	// Step applies one update with learning rate lr to every parameter's
	// Value from its Grad, and increments StepCount.
	Step(lr float64)
	// StepCount is the number of Step calls so far (torch's state["step"]).
	StepCount() int64
	// Params are the parameters the optimizer updates, in the given order.
	Params() []Param
	// StateTensors returns the state as named tensors plus string metadata.
	// The tensors alias the live state: write them out before the next Step.
	StateTensors() (map[string]Tensor, map[string]string)
	// LoadStateTensors restores a state saved by StateTensors, bit for bit.
	// Any name, size or metadata mismatch is an error naming the culprit, and
	// leaves the optimizer unchanged.
	LoadStateTensors(tensors map[string]Tensor, meta map[string]string) error
}

// AdamWConfig holds AdamW's hyper-parameters. Start from DefaultAdamWConfig
// or TFBERTAdamWConfig: the zero value is rejected.
type AdamWConfig struct {
	Beta1, Beta2 float64
	Eps          float64
	// WeightDecay applies to the parameters for which Decay returns true;
	// the others get none.
	WeightDecay float64
	// BiasCorrection selects the update rule. true: torch.optim.AdamW
	// (PyTorch / HuggingFace): decoupled decay p *= 1 - lr*wd first, then
	// the bias-corrected Adam step with eps added after correcting sqrt(v).
	// false: google-research/bert AdamWeightDecayOptimizer: no bias
	// correction, update = m / (sqrt(v) + eps) + wd*p, p -= lr*update.
	BiasCorrection bool
	// Decay selects the decay group by parameter name; nil means DecayGroup.
	Decay func(name string) bool
	// Workers is the number of goroutines Step uses (0 or 1: the calling
	// goroutine only). Results do not depend on it. It is not saved state.
	Workers int
}

// DefaultAdamWConfig is torch.optim.AdamW's defaults (lr is passed to Step):
// betas (0.9, 0.999), eps 1e-8, weight_decay 0.01, with bias correction and
// the HuggingFace decay groups. BERT fine-tuning recipes often use eps 1e-6.
func DefaultAdamWConfig() AdamWConfig {
	return AdamWConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, BiasCorrection: true, Decay: DecayGroup}
}

// TFBERTAdamWConfig is google-research/bert create_optimizer's
// AdamWeightDecayOptimizer: weight_decay_rate 0.01, beta_1 0.9,
// beta_2 0.999, epsilon 1e-6, no bias correction, exclude_from_weight_decay
// ["LayerNorm", "layer_norm", "bias"].
func TFBERTAdamWConfig() AdamWConfig {
	return AdamWConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-6, WeightDecay: 0.01, BiasCorrection: false, Decay: TFBERTDecayGroup}
}

func (c AdamWConfig) validate() error {
	switch {
	case c.Beta1 == 0 && c.Beta2 == 0 && c.Eps == 0 && c.WeightDecay == 0:
		return errors.New("optim: AdamWConfig is all zero; start from DefaultAdamWConfig() or TFBERTAdamWConfig()")
	case !(c.Beta1 >= 0 && c.Beta1 < 1):
		return fmt.Errorf("optim: AdamW beta1 %v not in [0, 1)", c.Beta1)
	case !(c.Beta2 >= 0 && c.Beta2 < 1):
		return fmt.Errorf("optim: AdamW beta2 %v not in [0, 1)", c.Beta2)
	case !(c.Eps >= 0) || math.IsInf(c.Eps, 0):
		return fmt.Errorf("optim: AdamW eps %v not a finite value >= 0", c.Eps)
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
		return fmt.Errorf("optim: AdamW weight decay %v not a finite value >= 0", c.WeightDecay)
	case c.Workers < 0:
		return fmt.Errorf("optim: AdamW workers %d < 0", c.Workers)
	case !c.BiasCorrection && c.Eps == 0:
		// Without bias correction a zero gradient gives 0/0 at step 1.
		return errors.New("optim: AdamW without bias correction needs eps > 0")
	}
	return nil
}

// AdamW is Adam with decoupled weight decay over float32 parameter slices.
// The two moment vectors are allocated once, by NewAdamW; Step allocates
// nothing.
type AdamW struct {
	cfg    AdamWConfig
	params []Param
	decay  []bool      // per parameter: in the weight-decay group
	m, v   [][]float32 // exp_avg, exp_avg_sq
	step   int64

	sc     stepScalars    // constants of the current step
	shards [][]span       // work split for Workers goroutines
	runs   []func()       // one prepared goroutine body per shard
	wg     sync.WaitGroup // joins the shards of a step
}

// NewAdamW builds an AdamW over params (validated: unique non-empty names,
// len(Value) == len(Grad), no two parameters sharing a backing array) with
// zero moments and step count 0.
func NewAdamW(params []Param, cfg AdamWConfig) (*AdamW, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := validateParams(params); err != nil {
		return nil, err
	}
	if cfg.Decay == nil {
		cfg.Decay = DecayGroup
	}
	o := &AdamW{cfg: cfg, params: params, decay: make([]bool, len(params)),
		m: make([][]float32, len(params)), v: make([][]float32, len(params))}
	for i, p := range params {
		o.decay[i] = cfg.Decay(p.Name)
		o.m[i] = make([]float32, len(p.Value))
		o.v[i] = make([]float32, len(p.Value))
	}
	o.setWorkers(cfg.Workers)
	return o, nil
}

// Config returns the hyper-parameters (after LoadStateTensors: the loaded ones).
func (o *AdamW) Config() AdamWConfig { return o.cfg }

// Params returns the parameters in construction order.
func (o *AdamW) Params() []Param { return o.params }

// StepCount is the number of steps taken (torch's state["step"]).
func (o *AdamW) StepCount() int64 { return o.step }

// Decays reports whether parameter i is in the weight-decay group.
func (o *AdamW) Decays(i int) bool { return o.decay[i] }

// Moments returns the live first and second moment (exp_avg, exp_avg_sq)
// of parameter i.
func (o *AdamW) Moments(i int) (expAvg, expAvgSq []float32) { return o.m[i], o.v[i] }

// Step performs one AdamW update with learning rate lr from the current
// gradients, then increments the step count. With Workers > 1 the elements
// are split among that many goroutines; every element is updated by the
// same float32 operations either way, so the result is bit-identical.
func (o *AdamW) Step(lr float64) {
	o.step++
	if o.cfg.BiasCorrection {
		o.sc = o.torchScalars(lr)
	} else {
		o.sc = o.tfScalars(lr)
	}
	if len(o.shards) <= 1 {
		o.runShard(0)
		return
	}
	o.wg.Add(len(o.shards) - 1)
	for _, f := range o.runs[1:] {
		go f()
	}
	o.runShard(0)
	o.wg.Wait()
}

// span is the element range [lo, hi) of parameter i.
type span struct{ i, lo, hi int }

// stepScalars are the per-step constants, cast to float32 once.
type stepScalars struct {
	// torch form
	negStep, bc2sqrt, eps, beta2, oneMinusB2, decayF float32
	w32, wm1                                         float64
	lerpSmall, decay                                 bool
	// TF form
	b1, c1, c2, lr, wdRate float32
}

// setWorkers splits the parameters' elements into n shards of about equal
// size and prepares one goroutine body per shard (so Step allocates
// nothing).
func (o *AdamW) setWorkers(n int) {
	total := 0
	for _, p := range o.params {
		total += len(p.Value)
	}
	if n < 1 {
		n = 1
	}
	per := (total + n - 1) / n
	o.shards = o.shards[:0]
	var cur []span
	room := per
	for i, p := range o.params {
		for lo := 0; lo < len(p.Value); {
			hi := min(len(p.Value), lo+room)
			cur = append(cur, span{i, lo, hi})
			room -= hi - lo
			lo = hi
			if room == 0 {
				o.shards = append(o.shards, cur)
				cur, room = nil, per
			}
		}
	}
	if len(cur) > 0 || len(o.shards) == 0 {
		o.shards = append(o.shards, cur)
	}
	o.runs = make([]func(), len(o.shards))
	for k := range o.shards {
		o.runs[k] = func() { o.runShard(k); o.wg.Done() }
	}
}

func (o *AdamW) runShard(k int) {
	for _, s := range o.shards[k] {
		if o.cfg.BiasCorrection {
			o.torchSpan(s)
		} else {
			o.tfSpan(s)
		}
	}
}

// torchScalars and torchSpan are torch.optim.adamw /
// adam._single_tensor_adam (torch 2.11, foreach=False, fused=False,
// decoupled_weight_decay=True, amsgrad=False):
//
//	param.mul_(1 - lr * weight_decay)
//	exp_avg.lerp_(grad, 1 - beta1)
//	exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
//	bias_correction1 = 1 - beta1 ** step; bias_correction2 = 1 - beta2 ** step
//	step_size = lr / bias_correction1
//	denom = (exp_avg_sq.sqrt() / bias_correction2 ** 0.5).add_(eps)
//	param.addcdiv_(exp_avg, denom, value=-step_size)
//
// The scalars are Python floats (float64 here); ATen casts each scalar to
// float32 (the op math type of a float32 tensor) and evaluates every op in
// float32 with one rounding, in the order written: the explicit float32
// conversions below keep Go from fusing them. lerp_ follows ATen's
// vectorized CPU kernel (LerpKernel.cpp lerp_vec: fmadd(w, end - self, self)
// for |w| < 0.5, else fmadd(w - 1, end - self, end)), evaluated exactly in
// float64 and rounded once to float32.
func (o *AdamW) torchScalars(lr float64) stepScalars {
	t := float64(o.step)
	bc1 := 1 - math.Pow(o.cfg.Beta1, t)
	bc2 := 1 - math.Pow(o.cfg.Beta2, t)
	w := 1 - o.cfg.Beta1
	return stepScalars{
		negStep:    float32(-(lr / bc1)),
		bc2sqrt:    float32(math.Sqrt(bc2)),
		eps:        float32(o.cfg.Eps),
		beta2:      float32(o.cfg.Beta2),
		oneMinusB2: float32(1 - o.cfg.Beta2),
		lerpSmall:  math.Abs(w) < 0.5,
		w32:        float64(float32(w)),
		wm1:        float64(float32(w) - 1),
		decayF:     float32(1 - lr*o.cfg.WeightDecay),
		decay:      o.cfg.WeightDecay != 0, // torch skips the multiply when weight_decay == 0
	}
}

func (o *AdamW) torchSpan(s span) {
	sc := &o.sc
	p := o.params[s.i]
	grad := p.Grad[s.lo:s.hi]
	val := p.Value[s.lo:s.hi][:len(grad)]
	m := o.m[s.i][s.lo:s.hi][:len(grad)]
	v := o.v[s.i][s.lo:s.hi][:len(grad)]
	if sc.decay && o.decay[s.i] {
		f := sc.decayF
		for j := range val {
			val[j] *= f
		}
	}
	negStep, bc2sqrt, eps, beta2, c2 := sc.negStep, sc.bc2sqrt, sc.eps, sc.beta2, sc.oneMinusB2
	w32, wm1, small := sc.w32, sc.wm1, sc.lerpSmall
	for j, g := range grad {
		mj := m[j]
		d := float64(g - mj)
		if small {
			mj = float32(w32*d + float64(mj))
		} else {
			mj = float32(wm1*d + float64(g))
		}
		m[j] = mj
		vj := float32(v[j]*beta2) + float32(float32(c2*g)*g)
		v[j] = vj
		den := float32(sqrt32(vj)/bc2sqrt) + eps
		val[j] += float32(negStep*mj) / den
	}
}

// tfScalars and tfSpan are google-research/bert optimization.py
// AdamWeightDecayOptimizer.apply_gradients, op by op in float32:
//
//	next_m = beta_1 * m + (1.0 - beta_1) * grad
//	next_v = beta_2 * v + (1.0 - beta_2) * tf.square(grad)
//	update = next_m / (tf.sqrt(next_v) + epsilon)
//	if self._do_use_weight_decay(param_name): update += weight_decay_rate * param
//	next_param = param - learning_rate * update
//
// There is no bias correction and the decay is added to the update, so it
// is scaled by lr together with it (p -= lr * (update + wd*p)).
func (o *AdamW) tfScalars(lr float64) stepScalars {
	return stepScalars{
		b1:     float32(o.cfg.Beta1),
		c1:     float32(1 - o.cfg.Beta1),
		beta2:  float32(o.cfg.Beta2),
		c2:     float32(1 - o.cfg.Beta2),
		eps:    float32(o.cfg.Eps),
		lr:     float32(lr),
		wdRate: float32(o.cfg.WeightDecay),
	}
}

func (o *AdamW) tfSpan(s span) {
	sc := &o.sc
	p := o.params[s.i]
	grad := p.Grad[s.lo:s.hi]
	val := p.Value[s.lo:s.hi][:len(grad)]
	m := o.m[s.i][s.lo:s.hi][:len(grad)]
	v := o.v[s.i][s.lo:s.hi][:len(grad)]
	b1, c1, b2, c2, eps, lr32, wdRate := sc.b1, sc.c1, sc.beta2, sc.c2, sc.eps, sc.lr, sc.wdRate
	dec := o.decay[s.i]
	for j, g := range grad {
		mj := float32(b1*m[j]) + float32(c1*g)
		vj := float32(b2*v[j]) + float32(c2*float32(g*g))
		m[j], v[j] = mj, vj
		update := mj / (sqrt32(vj) + eps)
		if dec {
			update += float32(wdRate * val[j])
		}
		val[j] -= float32(lr32 * update)
	}
}

// sqrt32 is the correctly rounded float32 square root (the float64 root
// rounded to float32 is correctly rounded for float32 inputs).
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
