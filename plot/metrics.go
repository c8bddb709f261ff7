package plot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// Series is one metric against the training step, in file order.
type Series struct {
	Name          string
	Steps, Values []float64
}

// Last returns the last value, NaN for an empty series.
func (s *Series) Last() float64 {
	if s == nil || len(s.Values) == 0 {
		return math.NaN()
	}
	return s.Values[len(s.Values)-1]
}

// Metrics are the series of a JSON Lines metrics file: every numeric field
// of a record becomes a point (step, value) of the series of that name.
type Metrics struct {
	Source string // the file name errors and titles use
	series map[string]*Series
}

// ReadMetrics reads a metrics.jsonl file (see ParseMetrics).
func ReadMetrics(path string) (*Metrics, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseMetrics(f, path)
}

// ParseMetrics reads JSON Lines records as train.Pretrain and train.Finetune
// write them: one JSON object per line with a numeric "step". Numeric fields
// become series; strings, booleans and nulls are skipped (nulls are the
// non-finite values JSON cannot carry). Blank lines are allowed. Errors name
// the line as name:line.
func ParseMetrics(r io.Reader, name string) (*Metrics, error) {
	m := &Metrics{Source: name, series: map[string]*Series{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	line := 0
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var rec map[string]any
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			return nil, fmt.Errorf("%s:%d: not a JSON object: %v", name, line, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("%s:%d: more than one JSON value on the line", name, line)
		}
		if rec == nil {
			return nil, fmt.Errorf("%s:%d: not a JSON object", name, line)
		}
		stepField, ok := rec["step"]
		if !ok {
			return nil, fmt.Errorf("%s:%d: record has no \"step\"", name, line)
		}
		step, err := number(stepField)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: \"step\": %v", name, line, err)
		}
		if step < 0 || step != math.Trunc(step) {
			return nil, fmt.Errorf("%s:%d: \"step\" is %v, not a step number", name, line, step)
		}
		for k, v := range rec {
			if k == "step" {
				continue
			}
			n, ok := v.(json.Number)
			if !ok {
				continue
			}
			f, err := n.Float64()
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %q: %v", name, line, k, err)
			}
			s := m.series[k]
			if s == nil {
				s = &Series{Name: k}
				m.series[k] = s
			}
			s.Steps = append(s.Steps, step)
			s.Values = append(s.Values, f)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	return m, nil
}

func number(v any) (float64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%v is not a number", v)
	}
	return n.Float64()
}

// Series returns the named series, nil when no record has it.
func (m *Metrics) Series(name string) *Series { return m.series[name] }

// Names lists the series in alphabetical order.
func (m *Metrics) Names() []string {
	names := make([]string, 0, len(m.series))
	for n := range m.series {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Len is the number of series.
func (m *Metrics) Len() int { return len(m.series) }
