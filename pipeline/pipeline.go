package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/tokenizer"
)

// Pipeline is a loaded model folder ready for inference on all cores.
type Pipeline struct {
	Config    gorbert.Config
	Task      gorbert.Task
	Tokenizer *tokenizer.Tokenizer
	// ModelMaxLength is the tokenizer's model_max_length
	// (tokenizer_config.json; max_position_embeddings when absent): NER
	// truncates to it and question answering caps its windows with it.
	ModelMaxLength int
	// BatchSize caps the rows of one forward pass; MaxBatchValues caps the
	// values of its largest output (B·S·vocab for fill-mask).
	BatchSize      int
	MaxBatchValues int

	params  *graph.Params
	models  []*graph.Model
	workers chan *graph.Model
}

// Load reads a HuggingFace folder: config.json + model.safetensors,
// vocab.txt and/or tokenizer.json, tokenizer_config.json.
func Load(dir string) (*Pipeline, error) {
	params, _, err := graph.Load(dir)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		return nil, err
	}
	maxLen, err := readModelMaxLength(dir)
	if err != nil {
		return nil, err
	}
	if maxLen == 0 {
		maxLen = params.Config.MaxPositionEmbeddings
	}
	return New(params, tok, maxLen, 0), nil
}

// readModelMaxLength returns tokenizer_config.json's model_max_length, 0 when
// the file or the field is absent.
func readModelMaxLength(dir string) (int, error) {
	path := filepath.Join(dir, "tokenizer_config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	var tc struct {
		ModelMaxLength *float64 `json:"model_max_length"`
	}
	if err := json.Unmarshal(data, &tc); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if tc.ModelMaxLength == nil || *tc.ModelMaxLength <= 0 || *tc.ModelMaxLength > 1<<30 {
		return 0, nil // HuggingFace writes 1e30 for "no limit"
	}
	return int(*tc.ModelMaxLength), nil
}

// New makes a pipeline over shared weights with the given number of workers
// (0 = one per core).
func New(params *graph.Params, tok *tokenizer.Tokenizer, modelMaxLength, workers int) *Pipeline {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	p := &Pipeline{
		Config: params.Config, Task: params.Task, Tokenizer: tok, ModelMaxLength: modelMaxLength,
		BatchSize: 16, MaxBatchValues: 1 << 23,
		params: params, workers: make(chan *graph.Model, workers),
	}
	for i := 0; i < workers; i++ {
		m := graph.NewModel(params)
		p.models = append(p.models, m)
		p.workers <- m
	}
	return p
}

// Close releases the workers' compiled graphs.
func (p *Pipeline) Close() error {
	for _, m := range p.models {
		m.Close()
	}
	return nil
}

// seq is one model input row.
type seq struct{ ids, types []int }

// forward runs rows through the model and returns, for each named output and
// each row, that row's values with the padding cut off: [len·D] for
// per-token outputs ([B,S,D] or [B,S]), [D] for per-sequence ones ([B,D]).
// perToken is the largest per-token width among the outputs (sizes the
// batches). Rows are sorted by length into batches, run on all workers, and
// returned in input order.
func (p *Pipeline) forward(rows []seq, perToken int, names ...string) ([][][]float32, error) {
	maxPos := p.Config.MaxPositionEmbeddings
	order := make([]int, len(rows))
	for i := range rows {
		if n := len(rows[i].ids); n > maxPos {
			return nil, &InputError{i, fmt.Errorf("%d tokens, more than the model's %d positions", n, maxPos)}
		}
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(rows[order[a]].ids) < len(rows[order[b]].ids) })

	// Cut the sorted rows into batches; the longest row of a batch is its last.
	var batches [][]int
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && end-start < p.BatchSize {
			s := padLen(len(rows[order[end]].ids), maxPos)
			if (end-start+1)*s*max(perToken, 1) > p.MaxBatchValues {
				break
			}
			end++
		}
		batches = append(batches, order[start:end])
		start = end
	}

	out := make([][][]float32, len(names))
	for k := range out {
		out[k] = make([][]float32, len(rows))
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for _, idx := range batches {
		m := <-p.workers
		wg.Add(1)
		go func(m *graph.Model, idx []int) {
			defer func() { p.workers <- m; wg.Done() }()
			if err := p.runBatch(m, rows, idx, names, out); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}(m, idx)
	}
	wg.Wait()
	return out, firstErr
}

// padLen rounds a length up to a multiple of 8 (fewer distinct graph shapes
// to compile), never past the model's positions.
func padLen(n, maxPos int) int {
	return min((n+7)/8*8, max(n, maxPos))
}

// runBatch pads the rows idx into one batch, runs it and scatters the outputs.
func (p *Pipeline) runBatch(m *graph.Model, rows []seq, idx []int, names []string, out [][][]float32) error {
	ids := make([][]int, len(idx))
	types := make([][]int, len(idx))
	for j, i := range idx {
		ids[j], types[j] = rows[i].ids, rows[i].types
	}
	s := padLen(len(ids[len(ids)-1]), p.Config.MaxPositionEmbeddings)
	b := graph.NewBatch(ids, types, s, p.Config.PadTokenID)
	res, err := m.Forward(b, names...)
	if err != nil {
		return err
	}
	for k, name := range names {
		t := res[name]
		per := len(t.Data) / b.Size
		for j, i := range idx {
			row := t.Data[j*per : (j+1)*per]
			if p.perToken(name) { // keep the real positions
				row = row[:len(rows[i].ids)*(per/b.SeqLen)]
			}
			out[k][i] = append([]float32(nil), row...)
		}
	}
	return nil
}

// perToken reports whether an output has one value (or vector) per token.
func (p *Pipeline) perToken(name string) bool {
	switch name {
	case "last_hidden_state", "prediction_logits", "start_logits", "end_logits":
		return true
	case "logits":
		return p.Task == gorbert.TaskNER
	}
	return false
}
