package train_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/conformance"
	"github.com/gorbert/gorbert/optim"
	"github.com/gorbert/gorbert/train"
)

func adamW(wd float64) func([]optim.Param) (optim.Optimizer, error) {
	return func(ps []optim.Param) (optim.Optimizer, error) {
		c := optim.DefaultAdamWConfig()
		c.Beta1, c.Beta2, c.Eps, c.WeightDecay = 0.9, 0.999, 1e-6, wd
		return optim.NewAdamW(ps, c)
	}
}

// stepper loads a case's initial weights and returns a Stepper over them.
func stepper(t *testing.T, dir string, cfg train.StepConfig, newOpt func([]optim.Param) (optim.Optimizer, error)) *train.Stepper {
	t.Helper()
	p, _, err := graph.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := train.NewStepper(p, cfg, newOpt)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type checker struct {
	t        *testing.T
	compared int
}

func (c *checker) params(s *train.Stepper, prefix string, want map[string]checkpoint.Tensor, tol func(name string) conformance.Tolerance) {
	c.t.Helper()
	for _, name := range s.Params.Names() {
		w, ok := want[prefix+name]
		if !ok {
			c.t.Errorf("fixture has no %s%s", prefix, name)
			continue
		}
		tl := tol(prefix + name)
		if ok, worst := conformance.Close(s.Params.Data(name), w.Data, tl.Atol, tl.Rtol); !ok {
			c.t.Errorf("%s%s: %s", prefix, name, worst)
		}
		c.compared++
	}
}

func (c *checker) scalar(name string, got float64, want []float32, tl conformance.Tolerance) {
	c.t.Helper()
	if ok, worst := conformance.Close([]float32{float32(got)}, want, tl.Atol, tl.Rtol); !ok {
		c.t.Errorf("%s: %s", name, worst)
	}
	c.compared++
}

// TestConformanceOptimizerSteps: one and two AdamW steps, clipping and
// weight decay 1.0 from each case's train.safetensors.
func TestConformanceOptimizerSteps(t *testing.T) {
	dir := conformance.Dir(t, "model")
	total, cases := 0, 0
	for _, c := range conformance.Cases(t, dir) {
		path := filepath.Join(c, "train.safetensors")
		if !fileExists(path) {
			continue
		}
		t.Run(filepath.Base(c), func(t *testing.T) {
			want := conformance.ReadTensors(t, path)
			var meta struct {
				Tolerances struct {
					Default   conformance.Tolerance            `json:"default"`
					Overrides map[string]conformance.Tolerance `json:"overrides"`
				} `json:"tolerances"`
			}
			conformance.ReadJSON(t, filepath.Join(c, "case.json"), &meta)
			tol := func(name string) conformance.Tolerance {
				if o, ok := meta.Tolerances.Overrides[name]; ok {
					return o
				}
				return meta.Tolerances.Default
			}
			for name := range want {
				known := name == "loss" || name == "loss_step2" || name == "grad_norm" || name == "clip_coef" || strings.HasSuffix(name, "_loss")
				for _, p := range []string{"grad.", "after.", "after_step2.", "after_clip.", "after_wd1."} {
					known = known || strings.HasPrefix(name, p)
				}
				if !known {
					t.Errorf("unknown tensor %q", name)
				}
			}
			var in conformance.Inputs
			conformance.ReadJSON(t, filepath.Join(c, "inputs.json"), &in)
			batch := in.Batch()
			lr := optim.Constant(1e-3)
			ck := &checker{t: t}

			// after, then loss_step2 and after_step2 with the optimizer state carried over.
			s := stepper(t, c, train.StepConfig{}, adamW(0.01))
			r, err := s.Step([]graph.Batch{batch}, lr)
			if err != nil {
				t.Fatal(err)
			}
			ck.scalar("loss", r.Loss, want["loss"].Data, tol("loss"))
			ck.scalar("grad_norm", r.GradNorm, want["grad_norm"].Data, tol("grad_norm"))
			ck.params(s, "after.", want, tol)
			r, err = s.Step([]graph.Batch{batch}, lr)
			if err != nil {
				t.Fatal(err)
			}
			ck.scalar("loss_step2", r.Loss, want["loss_step2"].Data, tol("loss_step2"))
			ck.params(s, "after_step2.", want, tol)
			s.Close()

			// after_clip: clip to norm 1, fresh optimizer.
			s = stepper(t, c, train.StepConfig{MaxGradNorm: 1}, adamW(0.01))
			if r, err = s.Step([]graph.Batch{batch}, lr); err != nil {
				t.Fatal(err)
			}
			ck.scalar("clip_coef", r.ClipCoef, want["clip_coef"].Data, tol("clip_coef"))
			ck.params(s, "after_clip.", want, tol)
			s.Close()

			// after_wd1: weight decay 1.0 shows the decay groups.
			s = stepper(t, c, train.StepConfig{}, adamW(1.0))
			if _, err = s.Step([]graph.Batch{batch}, lr); err != nil {
				t.Fatal(err)
			}
			ck.params(s, "after_wd1.", want, tol)
			s.Close()
			total += ck.compared
			cases++
		})
	}
	t.Logf("compared %d tensors in %d cases", total, cases)
}

// TestConformanceTrajectories replays multi-step HuggingFace training runs
// (warmup + linear decay, accumulation, clipping, AdamW) micro-batch by
// micro-batch and checks every recorded value.
func TestConformanceTrajectories(t *testing.T) {
	dir := conformance.Dir(t, "trajectory")
	total := 0
	for _, c := range conformance.Cases(t, dir) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			var meta struct {
				Spec struct {
					GradAccum   int     `json:"grad_accum"`
					Steps       int     `json:"steps"`
					Warmup      int     `json:"warmup_steps"`
					MaxGradNorm float64 `json:"max_grad_norm"`
					Snapshots   []int   `json:"snapshots"`
					Optimizer   struct {
						LR          float64    `json:"lr"`
						Betas       [2]float64 `json:"betas"`
						Eps         float64    `json:"eps"`
						WeightDecay float64    `json:"weight_decay"`
					} `json:"optimizer"`
				} `json:"spec"`
				Tolerances struct {
					Series map[string]struct {
						Atol []float64 `json:"atol"`
						Rtol float64   `json:"rtol"`
					} `json:"series"`
					Tensors map[string]conformance.Tolerance `json:"tensors"`
				} `json:"tolerances"`
			}
			conformance.ReadJSON(t, filepath.Join(c, "case.json"), &meta)
			sp := meta.Spec
			var batches struct {
				MicroBatches []conformance.Inputs `json:"micro_batches"`
			}
			conformance.ReadJSON(t, filepath.Join(c, "batches.json"), &batches)
			want := conformance.ReadTensors(t, filepath.Join(c, "trajectory.safetensors"))
			s := stepper(t, c, train.StepConfig{MaxGradNorm: sp.MaxGradNorm}, func(ps []optim.Param) (optim.Optimizer, error) {
				cfg := optim.DefaultAdamWConfig()
				cfg.Beta1, cfg.Beta2, cfg.Eps, cfg.WeightDecay = sp.Optimizer.Betas[0], sp.Optimizer.Betas[1], sp.Optimizer.Eps, sp.Optimizer.WeightDecay
				return optim.NewAdamW(ps, cfg)
			})
			defer s.Close()
			schedule := optim.LinearWarmupDecay(sp.Optimizer.LR, sp.Warmup, sp.Steps)
			ck := &checker{t: t}
			series := func(name string, k int, got float64) {
				w, ok := want[name]
				if !ok {
					return
				}
				tl := meta.Tolerances.Series[name]
				ck.scalar(fmt.Sprintf("%s[%d]", name, k), got, w.Data[k:k+1], conformance.Tolerance{Atol: tl.Atol[k], Rtol: tl.Rtol})
			}
			tensorTol := func(name string) conformance.Tolerance { return meta.Tolerances.Tensors[name] }
			snap := map[int]bool{}
			for _, k := range sp.Snapshots {
				snap[k] = true
			}
			for k := 0; k < sp.Steps; k++ {
				lr := schedule(k)
				series("lr", k, lr)
				for j := 0; j < sp.GradAccum; j++ {
					m := k*sp.GradAccum + j
					losses, err := s.Accumulate(batches.MicroBatches[m].Batch(), 1/float32(sp.GradAccum))
					if err != nil {
						t.Fatal(err)
					}
					for name, v := range losses {
						series(name, m, v)
					}
				}
				norm, coef, err := s.Apply(lr)
				if err != nil {
					t.Fatal(err)
				}
				series("grad_norm", k, norm)
				series("clip_coef", k, coef)
				if snap[k+1] {
					ck.params(s, fmt.Sprintf("step%d.", k+1), want, tensorTol)
				}
			}
			ck.params(s, "final.", want, tensorTol)
			total += ck.compared
		})
	}
	t.Logf("compared %d recorded values", total)
}
