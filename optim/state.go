package optim

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gorbert/gorbert/checkpoint"
)

// Tensor is checkpoint.Tensor: the optimizer state is saved in the same
// safetensors form as the weights.
type Tensor = checkpoint.Tensor

// Metadata keys shared by every optimizer's saved state.
const (
	metaFormat    = "optim.format"
	formatVersion = "gorbert-optim/1"
	metaKind      = "optim.optimizer"
	metaStep      = "optim.step"
	metaNoDecay   = "optim.no_decay" // JSON list of the parameter names without weight decay
)

// SaveState writes the full state of o (moments, step count,
// hyper-parameters, decay groups) to a safetensors file at path, atomically.
// Tensors are named <slot>.<param> (exp_avg.bert.pooler.dense.weight, ...),
// the step count and hyper-parameters are in the file's __metadata__ as
// exact decimal strings, so LoadState restores the state bit for bit.
func SaveState(path string, o Optimizer) error {
	t, meta := o.StateTensors()
	return checkpoint.WriteSafetensors(path, t, meta)
}

// LoadState reads a file written by SaveState into o, which must have been
// built over the same parameters (names and sizes); see LoadStateTensors.
func LoadState(path string, o Optimizer) error {
	t, meta, skipped, err := checkpoint.ReadSafetensors(path)
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		return fmt.Errorf("optim: %s: non-float tensors %v are not optimizer state", path, skipped)
	}
	if err := o.LoadStateTensors(t, meta); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// shapeOf is the saved shape of a parameter's state tensors.
func shapeOf(p Param) []int {
	if p.Shape != nil {
		return append([]int(nil), p.Shape...)
	}
	return []int{len(p.Value)}
}

// baseMeta is the metadata common to every optimizer.
func baseMeta(kind string, step int64, params []Param, decay []bool) map[string]string {
	noDecay := []string{}
	for i, p := range params {
		if !decay[i] {
			noDecay = append(noDecay, p.Name)
		}
	}
	nd, _ := json.Marshal(noDecay) // a []string always marshals
	return map[string]string{
		metaFormat:  formatVersion,
		metaKind:    kind,
		metaStep:    strconv.FormatInt(step, 10),
		metaNoDecay: string(nd),
	}
}

// stateReader validates and decodes saved state without touching the
// optimizer, so a failed load leaves it unchanged.
type stateReader struct {
	tensors map[string]Tensor
	meta    map[string]string
	used    map[string]bool
}

func newStateReader(kind string, tensors map[string]Tensor, meta map[string]string) (*stateReader, error) {
	if f := meta[metaFormat]; f != formatVersion {
		return nil, fmt.Errorf("optim: state format %q, want %q", f, formatVersion)
	}
	if k := meta[metaKind]; k != kind {
		return nil, fmt.Errorf("optim: state is for optimizer %q, loading into %q", k, kind)
	}
	return &stateReader{tensors: tensors, meta: meta, used: map[string]bool{}}, nil
}

func (r *stateReader) float(key string) (float64, error) {
	s, ok := r.meta[key]
	if !ok {
		return 0, fmt.Errorf("optim: state metadata lacks %q", key)
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("optim: state metadata %q: %w", key, err)
	}
	return x, nil
}

func (r *stateReader) bool(key string) (bool, error) {
	s, ok := r.meta[key]
	if !ok {
		return false, fmt.Errorf("optim: state metadata lacks %q", key)
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("optim: state metadata %q: %w", key, err)
	}
	return b, nil
}

func (r *stateReader) step() (int64, error) {
	s, ok := r.meta[metaStep]
	if !ok {
		return 0, fmt.Errorf("optim: state metadata lacks %q", metaStep)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("optim: state metadata %q = %q is not a step count", metaStep, s)
	}
	return n, nil
}

// decay decodes the no-decay list into per-parameter flags; every listed
// name must be a parameter.
func (r *stateReader) decay(params []Param) ([]bool, error) {
	s, ok := r.meta[metaNoDecay]
	if !ok {
		return nil, fmt.Errorf("optim: state metadata lacks %q", metaNoDecay)
	}
	var names []string
	if err := json.Unmarshal([]byte(s), &names); err != nil {
		return nil, fmt.Errorf("optim: state metadata %q: %w", metaNoDecay, err)
	}
	idx := make(map[string]int, len(params))
	for i, p := range params {
		idx[p.Name] = i
	}
	decay := make([]bool, len(params))
	for i := range decay {
		decay[i] = true
	}
	for _, n := range names {
		i, ok := idx[n]
		if !ok {
			return nil, fmt.Errorf("optim: state metadata %q names %q, which is not a parameter", metaNoDecay, n)
		}
		decay[i] = false
	}
	return decay, nil
}

// slot returns the saved tensor <slot>.<param name>, checked against the
// parameter's size.
func (r *stateReader) slot(slot string, p Param) ([]float32, error) {
	name := slot + "." + p.Name
	t, ok := r.tensors[name]
	if !ok {
		return nil, fmt.Errorf("optim: state lacks tensor %q", name)
	}
	if len(t.Data) != len(p.Value) || checkpoint.NumElements(t.Shape) != len(t.Data) {
		return nil, fmt.Errorf("optim: state tensor %q has shape %v (%d values), parameter %q has %d", name, t.Shape, len(t.Data), p.Name, len(p.Value))
	}
	// Same count, other layout (e.g. a transposed kernel): refuse unless
	// one side is the flat form.
	if flat := len(t.Shape) == 1; !flat && p.Shape != nil && !slices.Equal(t.Shape, p.Shape) {
		return nil, fmt.Errorf("optim: state tensor %q has shape %v, parameter %q has shape %v", name, t.Shape, p.Name, p.Shape)
	}
	r.used[name] = true
	return t.Data, nil
}

// unused reports tensors that belong to no parameter (an extra name).
func (r *stateReader) unused() error {
	var extra []string
	for name := range r.tensors {
		if !r.used[name] {
			extra = append(extra, name)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	return fmt.Errorf("optim: state tensor %q matches no parameter of this optimizer (%d unexpected: %s)", extra[0], len(extra), strings.Join(extra, ", "))
}

// StateTensors returns exp_avg.<p> and exp_avg_sq.<p> for every parameter
// (aliasing the live moments) and the metadata: step count, beta1, beta2,
// eps, weight_decay, bias_correction and the no-decay names.
func (o *AdamW) StateTensors() (map[string]Tensor, map[string]string) {
	t := make(map[string]Tensor, 2*len(o.params))
	for i, p := range o.params {
		t["exp_avg."+p.Name] = Tensor{Shape: shapeOf(p), Data: o.m[i]}
		t["exp_avg_sq."+p.Name] = Tensor{Shape: shapeOf(p), Data: o.v[i]}
	}
	meta := baseMeta("adamw", o.step, o.params, o.decay)
	meta["optim.beta1"] = fmtFloat(o.cfg.Beta1)
	meta["optim.beta2"] = fmtFloat(o.cfg.Beta2)
	meta["optim.eps"] = fmtFloat(o.cfg.Eps)
	meta["optim.weight_decay"] = fmtFloat(o.cfg.WeightDecay)
	meta["optim.bias_correction"] = strconv.FormatBool(o.cfg.BiasCorrection)
	return t, meta
}

// LoadStateTensors restores moments, step count, hyper-parameters and
// decay groups saved by StateTensors (as torch's load_state_dict restores
// param_groups). The parameters themselves are not touched. On error the
// optimizer is unchanged.
func (o *AdamW) LoadStateTensors(tensors map[string]Tensor, meta map[string]string) error {
	r, err := newStateReader("adamw", tensors, meta)
	if err != nil {
		return err
	}
	cfg := o.cfg
	if cfg.Beta1, err = r.float("optim.beta1"); err != nil {
		return err
	}
	if cfg.Beta2, err = r.float("optim.beta2"); err != nil {
		return err
	}
	if cfg.Eps, err = r.float("optim.eps"); err != nil {
		return err
	}
	if cfg.WeightDecay, err = r.float("optim.weight_decay"); err != nil {
		return err
	}
	if cfg.BiasCorrection, err = r.bool("optim.bias_correction"); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	step, err := r.step()
	if err != nil {
		return err
	}
	decay, err := r.decay(o.params)
	if err != nil {
		return err
	}
	ms := make([][]float32, len(o.params))
	vs := make([][]float32, len(o.params))
	for i, p := range o.params {
		if ms[i], err = r.slot("exp_avg", p); err != nil {
			return err
		}
		if vs[i], err = r.slot("exp_avg_sq", p); err != nil {
			return err
		}
	}
	if err := r.unused(); err != nil {
		return err
	}
	for i := range o.params {
		copy(o.m[i], ms[i])
		copy(o.v[i], vs[i])
	}
	o.cfg, o.decay, o.step = cfg, decay, step
	return nil
}
