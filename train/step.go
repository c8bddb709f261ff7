package train

import (
	"fmt"
	"math"
	"math/rand"
	randv2 "math/rand/v2"

	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/optim"
)

// StepConfig sets up a Stepper.
type StepConfig struct {
	// MaskedPositions is the number of MLM rows predicted per batch
	// (max_predictions_per_seq × batch); 0 predicts every position.
	MaskedPositions int
	// Dropout turns on hidden and attention dropout (the config's rates),
	// with masks drawn from Seed.
	Dropout bool
	Seed    int64
	// MaxGradNorm clips the accumulated gradient's global norm; 0 disables.
	MaxGradNorm float64
	// MaxGraphs bounds how many compiled graphs (one per batch shape, each
	// holding its activations) are kept; the least recently used is
	// released first. 0 means 8.
	MaxGraphs int
}

// Stepper owns the gradient accumulators and the optimizer of one model,
// and one loss graph per (batch, seq) shape it has seen (sequence-length
// buckets share the weights).
type Stepper struct {
	Params *graph.Params
	Opt    optim.Optimizer
	cfg    StepConfig
	params []optim.Param // Value = weights, Grad = accumulators
	byName map[string]int
	nets   map[[3]int]*graph.Net // by (batch, seq, masked positions)
	used   map[[3]int]int        // when each graph last ran, for eviction
	clock  int
	pcg    *randv2.PCG // dropout generator state (serializable)
	rng    *rand.Rand  // the same generator, as math/rand for gx.FillDropout
	micro  int         // micro-batches accumulated since the last step
}

// StepResult reports one optimizer step.
type StepResult struct {
	Loss     float64            // mean of the micro-batches' losses
	Terms    map[string]float64 // mean of each loss term (mlm_loss, nsp_loss, ...)
	GradNorm float64            // before clipping
	ClipCoef float64
	LR       float64
}

// NewStepper prepares training of p. newOpt builds the optimizer over the
// parameters (e.g. AdamW with decay groups); nil means HuggingFace's AdamW
// defaults with eps 1e-6 (BERT's).
func NewStepper(p *graph.Params, cfg StepConfig, newOpt func([]optim.Param) (optim.Optimizer, error)) (*Stepper, error) {
	s := &Stepper{Params: p, cfg: cfg, byName: map[string]int{}, nets: map[[3]int]*graph.Net{}, used: map[[3]int]int{}}
	s.pcg = randv2.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15)
	s.rng = rand.New(pcgSource{s.pcg})
	for _, name := range p.Names() {
		t := p.Tensors[name]
		s.byName[name] = len(s.params)
		s.params = append(s.params, optim.Param{Name: name, Value: p.Data(name), Grad: make([]float32, t.Shape().TotalSize()), Shape: t.Shape().Clone()})
	}
	if newOpt == nil {
		newOpt = func(ps []optim.Param) (optim.Optimizer, error) {
			c := optim.DefaultAdamWConfig()
			c.Eps = 1e-6
			return optim.NewAdamW(ps, c)
		}
	}
	var err error
	if s.Opt, err = newOpt(s.params); err != nil {
		return nil, err
	}
	return s, nil
}

// OptimParams are the (weights, accumulated gradient) pairs.
func (s *Stepper) OptimParams() []optim.Param { return s.params }

// RNGState is the dropout generator's state (it belongs in a checkpoint).
func (s *Stepper) RNGState() ([]byte, error) { return s.pcg.MarshalBinary() }

// SetRNGState restores a state saved by RNGState.
func (s *Stepper) SetRNGState(state []byte) error { return s.pcg.UnmarshalBinary(state) }

// pcgSource lets math/rand draw from a PCG whose state can be saved.
type pcgSource struct{ p *randv2.PCG }

func (s pcgSource) Int63() int64    { return int64(s.p.Uint64() >> 1) }
func (s pcgSource) Uint64() uint64  { return s.p.Uint64() }
func (s pcgSource) Seed(seed int64) { s.p.Seed(uint64(seed), 0x9e3779b97f4a7c15) }

func (s *Stepper) net(b graph.Batch) (*graph.Net, error) {
	key := [3]int{b.Size, b.SeqLen, s.cfg.MaskedPositions}
	s.clock++
	s.used[key] = s.clock
	if n, ok := s.nets[key]; ok {
		return n, nil
	}
	s.evict()
	n, err := graph.Build(s.Params, graph.Options{Batch: b.Size, Seq: b.SeqLen, Train: s.cfg.Dropout, Loss: true, Grads: true, MaskedPositions: s.cfg.MaskedPositions})
	if err != nil {
		return nil, err
	}
	s.nets[key] = n
	return n, nil
}

// Accumulate runs forward and backward on one micro-batch and adds
// scale × its gradient to the accumulators (scale = 1/k for k micro-batches
// per step, as HuggingFace divides each loss by gradient_accumulation_steps).
// It returns the micro-batch's undivided loss terms.
func (s *Stepper) Accumulate(b graph.Batch, scale float32) (map[string]float64, error) {
	n, err := s.net(b)
	if err != nil {
		return nil, err
	}
	var rng *rand.Rand
	if s.cfg.Dropout {
		rng = s.rng
	}
	if err := n.Run(b, rng); err != nil {
		return nil, err
	}
	losses, err := n.LossValues()
	if err != nil {
		return nil, err
	}
	for name, l := range losses {
		if math.IsNaN(l) || math.IsInf(l, 0) {
			return nil, fmt.Errorf("non-finite %s %g", name, l)
		}
	}
	for i := range s.params {
		g, err := n.Grad(s.params[i].Name)
		if err != nil {
			return nil, err
		}
		acc := s.params[i].Grad
		for j, v := range g {
			acc[j] += v * scale
		}
	}
	s.micro++
	return losses, nil
}

// Apply clips the accumulated gradient, takes one optimizer step with
// learning rate lr and zeroes the accumulators.
func (s *Stepper) Apply(lr float64) (gradNorm, clipCoef float64, err error) {
	if s.micro == 0 {
		return 0, 0, fmt.Errorf("optimizer step with no accumulated micro-batch")
	}
	if s.cfg.MaxGradNorm > 0 {
		gradNorm, clipCoef = optim.ClipGradNorm(s.params, s.cfg.MaxGradNorm)
	} else {
		gradNorm, clipCoef = optim.GradNorm(s.params), 1
	}
	if math.IsNaN(gradNorm) || math.IsInf(gradNorm, 0) {
		optim.ZeroGrads(s.params)
		s.micro = 0
		return gradNorm, clipCoef, fmt.Errorf("non-finite gradient norm %g", gradNorm)
	}
	s.Opt.Step(lr)
	optim.ZeroGrads(s.params)
	s.micro = 0
	return gradNorm, clipCoef, nil
}

// Step is one optimizer step over micro-batches: accumulate each with weight
// 1/len(micro), clip, step with schedule(completed steps).
func (s *Stepper) Step(micro []graph.Batch, schedule optim.Schedule) (StepResult, error) {
	res := StepResult{Terms: map[string]float64{}, LR: schedule(int(s.Opt.StepCount()))}
	k := float32(len(micro))
	for _, b := range micro {
		losses, err := s.Accumulate(b, 1/k)
		if err != nil {
			return res, err
		}
		for name, l := range losses {
			if name == "loss" {
				res.Loss += l / float64(k)
			} else {
				res.Terms[name] += l / float64(k)
			}
		}
	}
	var err error
	res.GradNorm, res.ClipCoef, err = s.Apply(res.LR)
	return res, err
}

// evict releases least recently used graphs until there is room for one more.
func (s *Stepper) evict() {
	limit := s.cfg.MaxGraphs
	if limit <= 0 {
		limit = 8
	}
	for len(s.nets) >= limit {
		var oldest [3]int
		first := true
		for k := range s.nets {
			if first || s.used[k] < s.used[oldest] {
				oldest, first = k, false
			}
		}
		s.nets[oldest].Close()
		delete(s.nets, oldest)
		delete(s.used, oldest)
	}
}

// Close releases the compiled graphs.
func (s *Stepper) Close() {
	for _, n := range s.nets {
		n.Close()
	}
}

// NumGraphs is how many compiled graphs the Stepper holds.
func (s *Stepper) NumGraphs() int { return len(s.nets) }
