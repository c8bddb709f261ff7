package optim

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The hand-computed trajectories below start from handP0 and take three
// steps with handGrads[s] at learning rate handLR[s]. "dense.weight" is in
// the decay group, "dense.bias" is not. Expected values were computed with
// the formulas cited on each test in float64 (Python floats, one line per
// rule; e.g. TF step 1, weight[0]: m = 0.1*0.2 = 0.02, v = 0.001*0.04,
// update = 0.02/(sqrt(4e-5)+1e-3) + 0.1*0.5 = 2.77055..., p = 0.5 -
// 0.01*update = 0.4721946); the float32 implementation must agree to 1e-6.
var (
	handNames = []string{"dense.weight", "dense.bias"}
	handP0    = map[string][]float32{"dense.weight": {0.5, -0.25, 1.5}, "dense.bias": {0.1, -0.2}}
	handGrads = []map[string][]float32{
		{"dense.weight": {0.2, -0.1, 0.0}, "dense.bias": {1.0, -0.5}},
		{"dense.weight": {-0.3, 0.05, 0.4}, "dense.bias": {0.5, 0.25}},
		{"dense.weight": {0.1, 0.2, -0.6}, "dense.bias": {-1.0, 0.75}},
	}
	handLR = []float64{1e-2, 2e-2, 5e-3}
)

func handParams() []Param {
	var ps []Param
	for _, n := range handNames {
		ps = append(ps, Param{Name: n, Value: append([]float32(nil), handP0[n]...), Grad: make([]float32, len(handP0[n]))})
	}
	return ps
}

func runHand(t *testing.T, o Optimizer, ps []Param, want []map[string][]float64) {
	t.Helper()
	for s := range handGrads {
		for _, p := range ps {
			copy(p.Grad, handGrads[s][p.Name])
		}
		o.Step(handLR[s])
		for _, p := range ps {
			for j, got := range p.Value {
				w := want[s][p.Name][j]
				if d := math.Abs(float64(got) - w); !(d <= 1e-6) {
					t.Errorf("step %d %s[%d] = %.9g, want %.9g (|diff| %.2g)", s+1, p.Name, j, got, w, d)
				}
			}
		}
	}
	if o.StepCount() != int64(len(handGrads)) {
		t.Errorf("StepCount = %d, want %d", o.StepCount(), len(handGrads))
	}
}

func TestAdamWHandTrajectories(t *testing.T) {
	cases := []struct {
		name string
		cfg  AdamWConfig
		want []map[string][]float64
	}{
		{
			// google-research/bert optimization.py AdamWeightDecayOptimizer:
			// m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
			// update = m/(sqrt(v)+eps) (+ wd*p if decayed); p -= lr*update.
			name: "tf-bert",
			cfg:  AdamWConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-3, WeightDecay: 0.1, BiasCorrection: false},
			want: []map[string][]float64{
				{"dense.weight": {0.47219458810083714, -0.2257246926647958, 1.4985}, "dense.bias": {0.0693465699682845, -0.1702582564240123}},
				{"dense.weight": {0.49060503763431285, -0.20762924391017495, 1.436891122562649}, "dense.bias": {-0.007700980883962899, -0.14883419596191136}},
				{"dense.weight": {0.49067162655525165, -0.21747189275258574, 1.4412146938080903}, "dense.bias": {-0.010386351366239168, -0.15815678899636632}},
			},
		},
		{
			// torch.optim.AdamW: p *= 1-lr*wd; m, v as above;
			// p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
			// eps = 1e-3 makes "eps after the bias correction" visible.
			name: "torch",
			cfg:  AdamWConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-3, WeightDecay: 0.1, BiasCorrection: true},
			want: []map[string][]float64{
				{"dense.weight": {0.4895497512437811, -0.2398490099009901, 1.4985}, "dense.bias": {0.09000999000999002, -0.19001996007984034}},
				{"dense.weight": {0.4935053345074922, -0.23410911785200425, 1.4806726835055515}, "dense.bias": {0.07138995345947483, -0.18470666300087338}},
				{"dense.weight": {0.4933266004787666, -0.23626157127857225, 1.4809930140768859}, "dense.bias": {0.07083667697148732, -0.18665001420557145}},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := handParams()
			o, err := NewAdamW(ps, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			runHand(t, o, ps, c.want)
		})
	}
}

func TestSGDHandTrajectories(t *testing.T) {
	// torch.optim.SGD: d = g + wd*p (decay group only); with momentum
	// buf = d on the first step, else buf = mom*buf + (1-damp)*d;
	// d = d + mom*buf (nesterov) or buf; p -= lr*d.
	cases := []struct {
		name string
		cfg  SGDConfig
		want []map[string][]float64
	}{
		{"plain", SGDConfig{}, []map[string][]float64{
			{"dense.weight": {0.498, -0.249, 1.5}, "dense.bias": {0.09, -0.195}},
			{"dense.weight": {0.504, -0.25, 1.492}, "dense.bias": {0.08, -0.2}},
			{"dense.weight": {0.5035, -0.251, 1.495}, "dense.bias": {0.085, -0.20375}},
		}},
		{"momentum-dampening-wd", SGDConfig{Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01}, []map[string][]float64{
			{"dense.weight": {0.49795, -0.248975, 1.49985}, "dense.bias": {0.09, -0.195}},
			{"dense.weight": {0.499570369, -0.2479851845, 1.492110027}, "dense.bias": {0.063, -0.1905}},
			{"dense.weight": {0.499462471358395, -0.24865131667919751, 1.493001388123785}, "dense.bias": {0.061425, -0.1928625}},
		}},
		{"nesterov-wd", SGDConfig{Momentum: 0.9, WeightDecay: 0.01, Nesterov: true}, []map[string][]float64{
			{"dense.weight": {0.496105, -0.2480525, 1.499715}, "dense.bias": {0.081, -0.1905}},
			{"dense.weight": {0.5039954801, -0.24819774005, 1.4837021083}, "dense.bias": {0.0458, -0.1919}},
			{"dense.weight": {0.5034452832768905, -0.24989300263844524, 1.4875257431422115}, "dense.bias": {0.04963, -0.198215}},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ps := handParams()
			o, err := NewSGD(ps, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			runHand(t, o, ps, c.want)
		})
	}
}

// At step 1 with |g| >> eps, torch's bias-corrected update is lr*sign(g),
// TF-BERT's uncorrected one is lr*(1-b1)/sqrt(1-b2)*sign(g) = 3.1623*lr.
func TestFirstStepMagnitude(t *testing.T) {
	for _, c := range []struct {
		bc   bool
		want float64
	}{{true, 1}, {false, 0.1 / math.Sqrt(0.001)}} {
		ps := []Param{{Name: "w.bias", Value: []float32{0, 0}, Grad: []float32{0.5, -2}}}
		cfg := DefaultAdamWConfig()
		cfg.BiasCorrection = c.bc
		o, err := NewAdamW(ps, cfg)
		if err != nil {
			t.Fatal(err)
		}
		o.Step(1e-3)
		for j, sign := range []float64{-1, 1} {
			if got := float64(ps[0].Value[j]) / 1e-3; math.Abs(got-sign*c.want) > 1e-4 {
				t.Errorf("bias correction %v: update[%d] = %.6g lr, want %.6g lr", c.bc, j, got, sign*c.want)
			}
		}
	}
}

// lerp with weight 1-beta1 >= 0.5 takes torch's other branch
// (end - (end-self)*(1-w)); both must give beta1*m + (1-beta1)*g.
func TestAdamWSmallBeta1(t *testing.T) {
	ps := []Param{{Name: "x.bias", Value: []float32{1, -1, 0.25}, Grad: make([]float32, 3)}}
	cfg := AdamWConfig{Beta1: 0.2, Beta2: 0.5, Eps: 1e-2, BiasCorrection: true}
	o, err := NewAdamW(ps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	p := []float64{1, -1, 0.25}
	m := make([]float64, 3)
	v := make([]float64, 3)
	for s, g := range [][]float32{{0.5, -1, 2}, {-0.25, 3, 0}, {1, 1, -1}} {
		copy(ps[0].Grad, g)
		o.Step(0.1)
		tt := float64(s + 1)
		for j := range p {
			m[j] = 0.2*m[j] + 0.8*float64(g[j])
			v[j] = 0.5*v[j] + 0.5*float64(g[j])*float64(g[j])
			p[j] -= 0.1 / (1 - math.Pow(0.2, tt)) * m[j] / (math.Sqrt(v[j])/math.Sqrt(1-math.Pow(0.5, tt)) + 1e-2)
			mm, _ := o.Moments(0)
			if math.Abs(float64(mm[j])-m[j]) > 1e-6 || math.Abs(float64(ps[0].Value[j])-p[j]) > 1e-6 {
				t.Errorf("step %d [%d]: m=%.8g p=%.8g, want m=%.8g p=%.8g", s+1, j, mm[j], ps[0].Value[j], m[j], p[j])
			}
		}
	}
}

func TestSchedules(t *testing.T) {
	cases := []struct {
		name  string
		sched Schedule
		want  map[int]float64
	}{
		{"constant", Constant(3e-5), map[int]float64{0: 3e-5, 7: 3e-5, 1000: 3e-5}},
		{"constant-warmup", ConstantWithWarmup(1, 4), map[int]float64{0: 0, 1: 0.25, 3: 0.75, 4: 1, 100: 1}},
		// get_linear_schedule_with_warmup(warmup=2, total=6).
		{"linear", LinearWarmupDecay(1, 2, 6), map[int]float64{0: 0, 1: 0.5, 2: 1, 3: 0.75, 4: 0.5, 5: 0.25, 6: 0, 9: 0}},
		{"linear-no-warmup", LinearWarmupDecay(2, 0, 4), map[int]float64{0: 2, 1: 1.5, 3: 0.5, 4: 0}},
		// cosine: 0.5*(1+cos(pi*progress)), progress = (k-2)/4; HF does not
		// clamp progress, so k = 7 (progress 1.25) rises again.
		{"cosine", CosineWarmup(1, 2, 6), map[int]float64{0: 0, 1: 0.5, 2: 1, 3: 0.8535533905932737, 4: 0.5, 5: 0.14644660940672627, 6: 0, 7: 0.14644660940672616}},
		{"cosine-1-cycle", CosineWarmupCycles(1, 0, 4, 1), map[int]float64{0: 1, 1: 0.5, 2: 0, 3: 0.5, 4: 1}},
		// google-research/bert: lr*(1-k/total), warmup ramp below warmup.
		{"tf-bert", TFBERTWarmupDecay(1, 2, 10), map[int]float64{0: 0, 1: 0.5, 2: 0.8, 5: 0.5, 10: 0, 12: 0}},
	}
	for _, c := range cases {
		for k, w := range c.want {
			if got := c.sched(k); math.Abs(got-w) > 1e-15 {
				t.Errorf("%s(%d) = %.17g, want %.17g", c.name, k, got, w)
			}
		}
	}
}

func TestDecayGroup(t *testing.T) {
	cases := []struct {
		name   string
		hf, tf bool
	}{
		{"bert.embeddings.word_embeddings.weight", true, true},
		{"bert.encoder.layer.0.attention.self.query.weight", true, true},
		{"bert.encoder.layer.0.attention.self.query.bias", false, false},
		{"cls.predictions.bias", false, false},
		{"bert.embeddings.LayerNorm.weight", false, false},
		{"bert.embeddings.LayerNorm.bias", false, false},
		{"bert.encoder.layer.3.output.LayerNorm.gamma", false, false},
		{"bert.encoder.layer.3.output.LayerNorm.beta", false, false},
		{"bert/encoder/layer_0/output/layer_norm/scale", true, false},
		{"classifier.weight", true, true},
	}
	for _, c := range cases {
		if got := DecayGroup(c.name); got != c.hf {
			t.Errorf("DecayGroup(%q) = %v, want %v", c.name, got, c.hf)
		}
		if got := TFBERTDecayGroup(c.name); got != c.tf {
			t.Errorf("TFBERTDecayGroup(%q) = %v, want %v", c.name, got, c.tf)
		}
	}
	// An overriding rule is honoured: decay everything.
	ps := []Param{{Name: "a.bias", Value: []float32{1}, Grad: []float32{0}}}
	cfg := DefaultAdamWConfig()
	cfg.Decay = DecayAll
	cfg.WeightDecay = 0.5
	o, err := NewAdamW(ps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	o.Step(0.1)
	if !o.Decays(0) || ps[0].Value[0] != float32(0.95) {
		t.Errorf("DecayAll: decays=%v value=%v, want true 0.95", o.Decays(0), ps[0].Value[0])
	}
}

func TestClipGradNorm(t *testing.T) {
	cases := []struct {
		name      string
		grads     [][]float32
		maxNorm   float64
		wantNorm  float64
		wantCoef  float64
		wantGrads [][]float32
	}{
		{"clipped", [][]float32{{3, 4}, {12}}, 1, 13, float64(float32(1) / float32(13+1e-6)),
			[][]float32{{3 * float32(1/(13+1e-6)), 4 * float32(1/(13+1e-6))}, {12 * float32(1/(13+1e-6))}}},
		{"not-clipped", [][]float32{{3, 4}, {12}}, 100, 13, 1, [][]float32{{3, 4}, {12}}},
		// a norm just at the threshold is still scaled by max/(max+1e-6)
		{"at-threshold", [][]float32{{0.6}, {0.8}}, 1, 1, float64(float32(1) / float32(1+1e-6)), nil},
		{"zero", [][]float32{{0, 0}, {0}}, 1, 0, 1, [][]float32{{0, 0}, {0}}},
	}
	for _, c := range cases {
		var ps []Param
		for i, g := range c.grads {
			ps = append(ps, Param{Name: string(rune('a' + i)), Value: make([]float32, len(g)), Grad: append([]float32(nil), g...)})
		}
		if n := GradNorm(ps); math.Abs(n-c.wantNorm) > 1e-6*c.wantNorm {
			t.Errorf("%s: GradNorm = %v, want %v", c.name, n, c.wantNorm)
		}
		norm, coef := ClipGradNorm(ps, c.maxNorm)
		if math.Abs(norm-c.wantNorm) > 1e-6*c.wantNorm || math.Abs(coef-c.wantCoef) > 1e-7 {
			t.Errorf("%s: ClipGradNorm = (%v, %v), want (%v, %v)", c.name, norm, coef, c.wantNorm, c.wantCoef)
		}
		for i, wg := range c.wantGrads {
			for j := range wg {
				if math.Abs(float64(ps[i].Grad[j]-wg[j])) > 1e-7 {
					t.Errorf("%s: grad[%d][%d] = %v, want %v", c.name, i, j, ps[i].Grad[j], wg[j])
				}
			}
		}
		if c.wantGrads == nil {
			if n := GradNorm(ps); !(n < c.maxNorm) {
				t.Errorf("%s: norm after clipping %v, want < %v", c.name, n, c.maxNorm)
			}
		}
	}
	if n, c := ClipGradNorm(nil, 1); n != 0 || c != 1 {
		t.Errorf("ClipGradNorm(nil) = %v, %v", n, c)
	}
}

func TestAccumulationHelpers(t *testing.T) {
	ps := []Param{{Name: "a", Value: []float32{0, 0}, Grad: []float32{1, -3}}, {Name: "b", Value: []float32{0}, Grad: []float32{0.5}}}
	ScaleGrads(ps, 0.5)
	if !reflect.DeepEqual(ps[0].Grad, []float32{0.5, -1.5}) || ps[1].Grad[0] != 0.25 {
		t.Errorf("ScaleGrads: %v %v", ps[0].Grad, ps[1].Grad)
	}
	ZeroGrads(ps)
	if !reflect.DeepEqual(ps[0].Grad, []float32{0, 0}) || ps[1].Grad[0] != 0 {
		t.Errorf("ZeroGrads: %v %v", ps[0].Grad, ps[1].Grad)
	}
}

func TestConstructionErrors(t *testing.T) {
	shared := []float32{1, 2}
	cases := []struct {
		name   string
		params []Param
		cfg    AdamWConfig
		want   string
	}{
		{"empty name", []Param{{Value: []float32{1}, Grad: []float32{0}}}, DefaultAdamWConfig(), "no name"},
		{"duplicate", []Param{{Name: "a", Value: []float32{1}, Grad: []float32{0}}, {Name: "a", Value: []float32{1}, Grad: []float32{0}}}, DefaultAdamWConfig(), `"a" given twice`},
		{"size", []Param{{Name: "a", Value: []float32{1, 2}, Grad: []float32{0}}}, DefaultAdamWConfig(), "gradient 1"},
		{"shape", []Param{{Name: "a", Value: []float32{1, 2}, Grad: []float32{0, 0}, Shape: []int{3}}}, DefaultAdamWConfig(), "shape [3]"},
		{"tied twice", []Param{{Name: "emb", Value: shared, Grad: []float32{0, 0}}, {Name: "dec", Value: shared, Grad: []float32{0, 0}}}, DefaultAdamWConfig(), "share one backing array"},
		{"zero config", nil, AdamWConfig{}, "all zero"},
		{"beta1", nil, AdamWConfig{Beta1: 1, Beta2: 0.9}, "beta1"},
		{"eps", nil, AdamWConfig{Beta1: 0.9, Beta2: 0.9, Eps: -1}, "eps"},
		{"tf eps", nil, AdamWConfig{Beta1: 0.9, Beta2: 0.9, Eps: 0}, "needs eps"},
	}
	for _, c := range cases {
		_, err := NewAdamW(c.params, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
	if _, err := NewSGD(nil, SGDConfig{Momentum: 0.9, Dampening: 0.1, Nesterov: true}); err == nil || !strings.Contains(err.Error(), "Nesterov") {
		t.Errorf("SGD nesterov with dampening: err = %v", err)
	}
}

func TestNoAllocsPerStep(t *testing.T) {
	mk := func() []Param {
		ps := handParams()
		for _, p := range ps {
			copy(p.Grad, handGrads[0][p.Name])
		}
		return ps
	}
	pa, pt, ps := mk(), mk(), mk()
	adam, _ := NewAdamW(pa, DefaultAdamWConfig())
	tf, _ := NewAdamW(pt, TFBERTAdamWConfig())
	sgd, _ := NewSGD(ps, SGDConfig{Momentum: 0.9, Nesterov: true, WeightDecay: 0.01})
	for name, f := range map[string]func(){
		"AdamW.Step":     func() { adam.Step(1e-3) },
		"TF AdamW.Step":  func() { tf.Step(1e-3) },
		"SGD.Step":       func() { sgd.Step(1e-3) },
		"ClipGradNorm":   func() { ClipGradNorm(pa, 1) },
		"ScaleGrads":     func() { ScaleGrads(pa, 1) },
		"ZeroGrads":      func() { ZeroGrads(ps) },
		"LinearSchedule": func() { _ = LinearWarmupDecay(1, 2, 10)(3) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %v times per call", name, n)
		}
	}
}

// saveLoadCase builds an optimizer over fresh copies of the hand params.
type saveLoadCase struct {
	name string
	make func([]Param) (Optimizer, error)
}

var saveLoadCases = []saveLoadCase{
	{"adamw", func(ps []Param) (Optimizer, error) {
		c := DefaultAdamWConfig()
		c.Eps = 1e-6
		return NewAdamW(ps, c)
	}},
	{"adamw-tf", func(ps []Param) (Optimizer, error) { return NewAdamW(ps, TFBERTAdamWConfig()) }},
	{"sgd-momentum", func(ps []Param) (Optimizer, error) {
		return NewSGD(ps, SGDConfig{Momentum: 0.9, Dampening: 0.1, WeightDecay: 0.01})
	}},
}

func gradAt(s int) map[string][]float32 { return handGrads[s%len(handGrads)] }

func stepN(o Optimizer, ps []Param, from, to int) {
	sched := LinearWarmupDecay(1e-2, 1, 6)
	for s := from; s < to; s++ {
		for _, p := range ps {
			copy(p.Grad, gradAt(s)[p.Name])
		}
		ClipGradNorm(ps, 0.5)
		o.Step(sched(int(o.StepCount())))
	}
}

// Save after 2 steps, load into a fresh optimizer (built with different
// hyper-parameters and decay rule, which the load replaces) over a copy of
// the weights, continue 4 steps: bit-identical to 6 uninterrupted steps.
func TestSaveLoadContinueBitExact(t *testing.T) {
	for _, c := range saveLoadCases {
		t.Run(c.name, func(t *testing.T) {
			ref := handParams()
			oRef, err := c.make(ref)
			if err != nil {
				t.Fatal(err)
			}
			stepN(oRef, ref, 0, 6)

			a := handParams()
			oA, _ := c.make(a)
			stepN(oA, a, 0, 2)
			path := filepath.Join(t.TempDir(), "optimizer.safetensors")
			if err := SaveState(path, oA); err != nil {
				t.Fatal(err)
			}

			b := handParams()
			for i := range b {
				copy(b[i].Value, a[i].Value) // the weights come from the model checkpoint
			}
			var oB Optimizer
			switch o := oA.(type) {
			case *AdamW:
				cfg := o.Config()
				cfg.Beta1, cfg.Eps, cfg.WeightDecay, cfg.Decay = 0.5, 0.1, 0.3, DecayAll
				cfg.BiasCorrection = !cfg.BiasCorrection
				oB, err = NewAdamW(b, cfg)
			case *SGD:
				oB, err = NewSGD(b, SGDConfig{Momentum: 0.1, Decay: DecayAll})
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := LoadState(path, oB); err != nil {
				t.Fatal(err)
			}
			if oB.StepCount() != 2 {
				t.Fatalf("loaded step count %d, want 2", oB.StepCount())
			}
			stepN(oB, b, 2, 6)
			for i := range ref {
				for j := range ref[i].Value {
					if math.Float32bits(ref[i].Value[j]) != math.Float32bits(b[i].Value[j]) {
						t.Errorf("%s[%d]: resumed %v (bits %08x), uninterrupted %v (bits %08x)", ref[i].Name, j,
							b[i].Value[j], math.Float32bits(b[i].Value[j]), ref[i].Value[j], math.Float32bits(ref[i].Value[j]))
					}
				}
			}
			tr, mr := oRef.StateTensors()
			tb, mb := oB.StateTensors()
			if !reflect.DeepEqual(mr, mb) {
				t.Errorf("metadata differs after resume:\n%v\n%v", mb, mr)
			}
			for n, x := range tr {
				for j := range x.Data {
					if math.Float32bits(x.Data[j]) != math.Float32bits(tb[n].Data[j]) {
						t.Errorf("state %s[%d] differs after resume", n, j)
					}
				}
			}
		})
	}
}

func TestLoadStateErrors(t *testing.T) {
	ps := handParams()
	o, err := NewAdamW(ps, DefaultAdamWConfig())
	if err != nil {
		t.Fatal(err)
	}
	stepN(o, ps, 0, 1)
	good := func() (map[string]Tensor, map[string]string) {
		ten, meta := o.StateTensors()
		cp := map[string]Tensor{}
		for k, v := range ten {
			cp[k] = Tensor{Shape: v.Shape, Data: append([]float32(nil), v.Data...)}
		}
		return cp, meta
	}
	cases := []struct {
		name   string
		mutate func(map[string]Tensor, map[string]string)
		want   string
	}{
		{"missing", func(t map[string]Tensor, _ map[string]string) { delete(t, "exp_avg_sq.dense.bias") }, `"exp_avg_sq.dense.bias"`},
		{"extra", func(t map[string]Tensor, _ map[string]string) {
			t["exp_avg.pooler.weight"] = Tensor{Shape: []int{1}, Data: []float32{0}}
		}, `"exp_avg.pooler.weight"`},
		{"size", func(t map[string]Tensor, _ map[string]string) {
			t["exp_avg.dense.weight"] = Tensor{Shape: []int{2}, Data: []float32{0, 0}}
		}, `"exp_avg.dense.weight" has shape [2]`},
		{"kind", func(_ map[string]Tensor, m map[string]string) { m[metaKind] = "sgd" }, `optimizer "sgd"`},
		{"format", func(_ map[string]Tensor, m map[string]string) { delete(m, metaFormat) }, "format"},
		{"step", func(_ map[string]Tensor, m map[string]string) { m[metaStep] = "-3" }, "step count"},
		{"hyper", func(_ map[string]Tensor, m map[string]string) { delete(m, "optim.beta2") }, `"optim.beta2"`},
		{"no-decay name", func(_ map[string]Tensor, m map[string]string) { m[metaNoDecay] = `["nope.bias"]` }, `"nope.bias"`},
	}
	// Same element count, other layout.
	shaped := handParams()
	shaped[0].Shape = []int{3, 1}
	oShaped, _ := NewAdamW(shaped, DefaultAdamWConfig())
	ten, meta := good()
	ten["exp_avg.dense.weight"] = Tensor{Shape: []int{1, 3}, Data: []float32{0, 0, 0}}
	if err := oShaped.LoadStateTensors(ten, meta); err == nil || !strings.Contains(err.Error(), `"exp_avg.dense.weight" has shape [1 3]`) {
		t.Errorf("transposed state: err = %v", err)
	}
	before, _ := good()
	for _, c := range cases {
		ten, meta := good()
		c.mutate(ten, meta)
		err := o.LoadStateTensors(ten, meta)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %s", c.name, err, c.want)
		}
		if o.StepCount() != 1 {
			t.Errorf("%s: failed load changed the step count to %d", c.name, o.StepCount())
		}
	}
	after, _ := good()
	if !reflect.DeepEqual(before, after) {
		t.Error("failed loads changed the moments")
	}
	// A file from another parameter set names the tensor too.
	path := filepath.Join(t.TempDir(), "s.safetensors")
	if err := SaveState(path, o); err != nil {
		t.Fatal(err)
	}
	other, _ := NewAdamW([]Param{{Name: "dense.weight", Value: make([]float32, 3), Grad: make([]float32, 3)}}, DefaultAdamWConfig())
	if err := LoadState(path, other); err == nil || !strings.Contains(err.Error(), "dense.bias") {
		t.Errorf("loading into fewer params: err = %v", err)
	}
}

// Splitting the step among goroutines changes nothing, bit for bit, and
// allocates nothing per step.
func TestAdamWWorkersBitIdentical(t *testing.T) {
	for _, bc := range []bool{true, false} {
		mk := func() []Param {
			var ps []Param
			for i, n := range []int{7, 1, 130, 0, 33} {
				p := Param{Name: string(rune('a'+i)) + ".weight", Value: make([]float32, n), Grad: make([]float32, n)}
				if i == 1 {
					p.Name = "b.bias"
				}
				for j := range p.Value {
					p.Value[j] = float32(math.Sin(float64(i*1000 + j)))
					p.Grad[j] = float32(math.Cos(float64(i*7 + j*3)))
				}
				ps = append(ps, p)
			}
			return ps
		}
		ref := mk()
		cfg := DefaultAdamWConfig()
		cfg.BiasCorrection = bc
		cfg.Eps = 1e-6
		oRef, _ := NewAdamW(ref, cfg)
		for _, workers := range []int{2, 3, 8, 500} {
			ps := mk()
			c := cfg
			c.Workers = workers
			o, err := NewAdamW(ps, c)
			if err != nil {
				t.Fatal(err)
			}
			if workers == 2 {
				// shards are built once; a parallel step must not allocate
				if n := testing.AllocsPerRun(20, func() { o.Step(0) }); n != 0 {
					t.Errorf("bias correction %v: parallel Step allocates %v times", bc, n)
				}
				o, _ = NewAdamW(ps, c)
			}
			for s := 0; s < 3; s++ {
				o.Step(1e-2 * float64(s+1))
			}
			if workers == 2 {
				for s := 0; s < 3; s++ {
					oRef.Step(1e-2 * float64(s+1))
				}
			}
			covered := 0
			for _, sh := range o.shards {
				for _, sp := range sh {
					covered += sp.hi - sp.lo
				}
			}
			if covered != 171 {
				t.Errorf("workers %d: shards cover %d elements, want 171", workers, covered)
			}
			for i := range ps {
				for j := range ps[i].Value {
					if math.Float32bits(ps[i].Value[j]) != math.Float32bits(ref[i].Value[j]) {
						t.Fatalf("bias correction %v, workers %d: %s[%d] = %v, serial %v", bc, workers, ps[i].Name, j, ps[i].Value[j], ref[i].Value[j])
					}
				}
			}
		}
	}
}
