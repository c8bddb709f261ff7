package train

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/atomicfile"
	"github.com/gorbert/gorbert/optim"
)

// A training checkpoint is a folder OUT/checkpoints/step-NNNNNNNN holding a
// HuggingFace model folder (config.json, model.safetensors, vocab.txt) plus
// optimizer.safetensors (moments and step) and trainer_state.json (data
// position, RNG state). It is written under a temporary name and renamed
// into place only when complete, so a crash mid-save never replaces the last
// good checkpoint; leftovers are removed at the next start.
const (
	optimizerFile = "optimizer.safetensors"
	stateFile     = "trainer_state.json"
	tmpPrefix     = ".tmp-"
)

// failSaveHook lets a test simulate a crash in the middle of a save.
var failSaveHook func(tmpDir string) error

func saveTrainCheckpoint(out string, params *graph.Params, vocab string, opt optim.Optimizer, state trainerState, keep int) (string, error) {
	return saveCheckpoint(out, params, vocab, opt, state.Step, state, keep, nil)
}

// saveCheckpoint writes a checkpoint of step holding state (any JSON value)
// as trainer_state.json; extra, when not nil, adds files to the folder
// before it is renamed into place (tokenizer files, for instance).
func saveCheckpoint(out string, params *graph.Params, vocab string, opt optim.Optimizer, step int, state any, keep int, extra func(dir string) error) (string, error) {
	root := filepath.Join(out, "checkpoints")
	name := fmt.Sprintf("step-%08d", step)
	tmp := filepath.Join(root, tmpPrefix+name)
	final := filepath.Join(root, name)
	os.RemoveAll(tmp)
	if err := params.Save(tmp, vocab); err != nil {
		return "", err
	}
	if extra != nil {
		if err := extra(tmp); err != nil {
			return "", err
		}
	}
	if err := optim.SaveState(filepath.Join(tmp, optimizerFile), opt); err != nil {
		return "", err
	}
	if failSaveHook != nil {
		if err := failSaveHook(tmp); err != nil {
			return "", err
		}
	}
	if err := saveJSON(filepath.Join(tmp, stateFile), state); err != nil {
		return "", err
	}
	os.RemoveAll(final) // a checkpoint of the same step from an earlier, interrupted run
	if err := os.Rename(tmp, final); err != nil {
		return "", err
	}
	syncDir(root)
	prune(root, keep)
	return final, nil
}

func loadTrainCheckpoint(dir string) (*graph.Params, trainerState, error) {
	var st trainerState
	p, err := loadCheckpoint(dir, &st)
	return p, st, err
}

// loadCheckpoint reads a checkpoint's weights and decodes its
// trainer_state.json into state.
func loadCheckpoint(dir string, state any) (*graph.Params, error) {
	p, _, err := graph.Load(dir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, state); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return p, nil
}

// checkpoints lists complete checkpoint folders, oldest first.
func checkpoints(root string) []string {
	entries, _ := os.ReadDir(root)
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "step-") {
			if _, err := os.Stat(filepath.Join(root, e.Name(), stateFile)); err == nil {
				out = append(out, filepath.Join(root, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out
}

func latestCheckpoint(root string) (string, bool) {
	cs := checkpoints(root)
	if len(cs) == 0 {
		return "", false
	}
	return cs[len(cs)-1], true
}

func latestDir(out string) string {
	d, _ := latestCheckpoint(filepath.Join(out, "checkpoints"))
	return d
}

// LatestCheckpoint returns the newest complete checkpoint under a run's
// output folder.
func LatestCheckpoint(out string) (string, bool) {
	return latestCheckpoint(filepath.Join(out, "checkpoints"))
}

func prune(root string, keep int) {
	if keep <= 0 {
		return
	}
	cs := checkpoints(root)
	for len(cs) > keep {
		os.RemoveAll(cs[0])
		cs = cs[1:]
	}
}

func cleanTemporary(root string) {
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func writeAtomic(path string, data []byte) error { return atomicfile.WriteBytes(path, data) }

// metricsLog appends JSON Lines records. On resume it first drops records
// past the resumed step so the file reads as one uninterrupted run.
type metricsLog struct {
	f *os.File
}

func openMetrics(path string, resumeStep int) (*metricsLog, error) {
	var keep []byte
	if data, err := os.ReadFile(path); err == nil {
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var rec struct {
				Step int `json:"step"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Step <= resumeStep {
				keep = append(keep, sc.Bytes()...)
				keep = append(keep, '\n')
			}
		}
		if err := atomicfile.WriteBytes(path, keep); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &metricsLog{f: f}, nil
}

func (m *metricsLog) write(rec map[string]any) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	if _, err := m.f.Write(append(b, '\n')); err != nil {
		return err
	}
	return m.f.Sync()
}

func (m *metricsLog) Close() error { return m.f.Close() }

// progress draws "step 120/600 [=====>    ] loss 5.21 3.4 step/s ETA 2m21s"
// on a terminal; it is silent when w is nil.
type progress struct {
	w          io.Writer
	total      int
	start      time.Time
	firstStep  int
	lastDrawAt time.Time
}

func newProgress(w io.Writer, total, first int) *progress {
	return &progress{w: w, total: total, start: time.Now(), firstStep: first}
}

func (p *progress) update(step int, loss float64) {
	if p.w == nil || (time.Since(p.lastDrawAt) < 200*time.Millisecond && step < p.total) {
		return
	}
	p.lastDrawAt = time.Now()
	rate := float64(step-p.firstStep) / time.Since(p.start).Seconds()
	eta := time.Duration(float64(p.total-step)/rate) * time.Second
	const width = 30
	done := width * step / p.total
	bar := strings.Repeat("=", done) + strings.Repeat(" ", width-done)
	fmt.Fprintf(p.w, "\rstep %d/%d [%s] loss %.4f  %.2f step/s  ETA %s   ", step, p.total, bar, loss, rate, eta.Round(time.Second))
}

func (p *progress) finish() {
	if p.w != nil {
		fmt.Fprintln(p.w)
	}
}

// IsTerminal reports whether f is a character device (a terminal), where a
// progress bar makes sense.
func IsTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
