package optim

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// SGDConfig holds torch.optim.SGD's hyper-parameters (lr is passed to Step).
type SGDConfig struct {
	Momentum  float64
	Dampening float64
	// WeightDecay is coupled L2 decay as in torch.optim.SGD: g += wd * p
	// before the momentum update, for the parameters Decay selects.
	WeightDecay float64
	Nesterov    bool
	// Decay selects the decay group by parameter name; nil means DecayGroup.
	Decay func(name string) bool
}

func (c SGDConfig) validate() error {
	switch {
	case !(c.Momentum >= 0) || math.IsInf(c.Momentum, 0):
		return fmt.Errorf("optim: SGD momentum %v not a finite value >= 0", c.Momentum)
	case math.IsNaN(c.Dampening) || math.IsInf(c.Dampening, 0):
		return fmt.Errorf("optim: SGD dampening %v not finite", c.Dampening)
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
		return fmt.Errorf("optim: SGD weight decay %v not a finite value >= 0", c.WeightDecay)
	case c.Nesterov && (c.Momentum <= 0 || c.Dampening != 0):
		// torch: "Nesterov momentum requires a momentum and zero dampening"
		return errors.New("optim: SGD Nesterov momentum requires a momentum and zero dampening")
	}
	return nil
}

// SGD is torch.optim.SGD (foreach=False) over float32 parameter slices: plain
// gradient descent, optionally with (Nesterov) momentum and coupled weight
// decay. Momentum buffers are allocated once, by NewSGD.
type SGD struct {
	cfg    SGDConfig
	params []Param
	decay  []bool
	buf    [][]float32 // momentum_buffer; nil slices when Momentum == 0
	step   int64
}

// NewSGD builds an SGD optimizer over params (validated as for NewAdamW).
func NewSGD(params []Param, cfg SGDConfig) (*SGD, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := validateParams(params); err != nil {
		return nil, err
	}
	if cfg.Decay == nil {
		cfg.Decay = DecayGroup
	}
	o := &SGD{cfg: cfg, params: params, decay: make([]bool, len(params)), buf: make([][]float32, len(params))}
	for i, p := range params {
		o.decay[i] = cfg.Decay(p.Name)
		if cfg.Momentum != 0 {
			o.buf[i] = make([]float32, len(p.Value))
		}
	}
	return o, nil
}

// Config returns the hyper-parameters (after LoadStateTensors: the loaded ones).
func (o *SGD) Config() SGDConfig { return o.cfg }

// Params returns the parameters in construction order.
func (o *SGD) Params() []Param { return o.params }

// StepCount is the number of steps taken.
func (o *SGD) StepCount() int64 { return o.step }

// MomentumBuffer returns the live momentum buffer of parameter i (nil
// without momentum).
func (o *SGD) MomentumBuffer(i int) []float32 { return o.buf[i] }

// fma32 is a*b + c with one rounding to float32 (ATen's vectorized
// add(self, other, alpha) is fmadd(other, alpha, self)); the float64
// product of two float32 values is exact.
func fma32(a, b, c float32) float32 { return float32(float64(a)*float64(b) + float64(c)) }

// Step is torch.optim.sgd._single_tensor_sgd (torch 2.11):
//
//	d_p = grad
//	if weight_decay != 0: d_p = d_p.add(param, alpha=weight_decay)
//	if momentum != 0:
//	    buf = clone(d_p) on the first step, else buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
//	    d_p = d_p.add(buf, alpha=momentum) if nesterov else buf
//	param.add_(d_p, alpha=-lr)
//
// Gradients are not modified.
func (o *SGD) Step(lr float64) {
	first := o.step == 0
	o.step++
	mom := float32(o.cfg.Momentum)
	damp := float32(1 - o.cfg.Dampening)
	negLR := float32(-lr)
	wd := float32(o.cfg.WeightDecay)
	for i, p := range o.params {
		val, grad := p.Value, p.Grad
		val = val[:len(grad)]
		useWD := o.decay[i] && o.cfg.WeightDecay != 0
		buf := o.buf[i]
		if buf != nil {
			buf = buf[:len(grad)]
		}
		for j, g := range grad {
			d := g
			if useWD {
				d = fma32(val[j], wd, g)
			}
			if buf != nil {
				var b float32
				if first {
					b = d
				} else {
					b = fma32(d, damp, float32(buf[j]*mom))
				}
				buf[j] = b
				if o.cfg.Nesterov {
					d = fma32(b, mom, d)
				} else {
					d = b
				}
			}
			val[j] = fma32(d, negLR, val[j])
		}
	}
}

// StateTensors returns momentum_buffer.<p> for every parameter when
// momentum is used (aliasing the live buffers) and the metadata: step count,
// momentum, dampening, weight_decay, nesterov and the no-decay names.
func (o *SGD) StateTensors() (map[string]Tensor, map[string]string) {
	t := map[string]Tensor{}
	for i, p := range o.params {
		if o.buf[i] != nil {
			t["momentum_buffer."+p.Name] = Tensor{Shape: shapeOf(p), Data: o.buf[i]}
		}
	}
	meta := baseMeta("sgd", o.step, o.params, o.decay)
	meta["optim.momentum"] = fmtFloat(o.cfg.Momentum)
	meta["optim.dampening"] = fmtFloat(o.cfg.Dampening)
	meta["optim.weight_decay"] = fmtFloat(o.cfg.WeightDecay)
	meta["optim.nesterov"] = strconv.FormatBool(o.cfg.Nesterov)
	return t, meta
}

// LoadStateTensors restores a state saved by StateTensors; the saved
// momentum must be zero exactly when this optimizer's is (the buffers are
// allocated at construction). On error the optimizer is unchanged.
func (o *SGD) LoadStateTensors(tensors map[string]Tensor, meta map[string]string) error {
	r, err := newStateReader("sgd", tensors, meta)
	if err != nil {
		return err
	}
	cfg := o.cfg
	if cfg.Momentum, err = r.float("optim.momentum"); err != nil {
		return err
	}
	if cfg.Dampening, err = r.float("optim.dampening"); err != nil {
		return err
	}
	if cfg.WeightDecay, err = r.float("optim.weight_decay"); err != nil {
		return err
	}
	if cfg.Nesterov, err = r.bool("optim.nesterov"); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	if (cfg.Momentum != 0) != (o.cfg.Momentum != 0) {
		return fmt.Errorf("optim: state has momentum %v, this SGD has %v (buffers exist only with momentum)", cfg.Momentum, o.cfg.Momentum)
	}
	step, err := r.step()
	if err != nil {
		return err
	}
	decay, err := r.decay(o.params)
	if err != nil {
		return err
	}
	bufs := make([][]float32, len(o.params))
	if cfg.Momentum != 0 {
		for i, p := range o.params {
			if bufs[i], err = r.slot("momentum_buffer", p); err != nil {
				return err
			}
		}
	}
	if err := r.unused(); err != nil {
		return err
	}
	for i := range o.params {
		copy(o.buf[i], bufs[i])
	}
	o.cfg, o.decay, o.step = cfg, decay, step
	return nil
}
