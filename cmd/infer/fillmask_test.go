package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/internal/conformance"
)

// pipelineCase is what the command tests read from a pipelines fixture file.
type pipelineCase struct {
	ID           string            `json:"id"`
	Args         []json.RawMessage `json:"args"`
	Text         string            `json:"text"`
	Kwargs       map[string]any    `json:"kwargs"`
	KwargsInputs json.RawMessage   `json:"kwargs_inputs"`
	Output       json.RawMessage   `json:"output"`
	Calls        []struct {
		Kwargs map[string]any  `json:"kwargs"`
		Output json.RawMessage `json:"output"`
	} `json:"calls"`
}

// pipelineFixture returns the fixture folder and the cases of one task file.
func pipelineFixture(t *testing.T, file string) (string, []pipelineCase) {
	t.Helper()
	dir := conformance.Dir(t, "pipelines")
	var doc struct {
		Cases []pipelineCase `json:"cases"`
	}
	conformance.ReadJSON(t, filepath.Join(dir, file), &doc)
	return dir, doc.Cases
}

// runCommand runs a subcommand with --in holding the given JSON lines and
// --out a temporary file, and returns the output lines.
func runCommand(t *testing.T, run func([]string) error, lines []string, args ...string) []string {
	t.Helper()
	tmp := t.TempDir()
	in, out := filepath.Join(tmp, "in.jsonl"), filepath.Join(tmp, "out.jsonl")
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(append(args, "--in", in, "--out", out)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// sameJSON reports the first difference between two JSON documents: numbers
// named "score" within 1e-4, every other value exactly, Go's extra
// start_byte/end_byte keys allowed.
func sameJSON(got, want string) string {
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return err.Error()
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		return err.Error()
	}
	return diffJSON(g, w, "", "$")
}

func diffJSON(g, w any, key, where string) string {
	switch wv := w.(type) {
	case map[string]any:
		gv, ok := g.(map[string]any)
		if !ok {
			return where + ": not an object"
		}
		for k := range gv {
			if _, ok := wv[k]; !ok && k != "start_byte" && k != "end_byte" {
				return where + ": extra key " + k
			}
		}
		for k := range wv {
			if d := diffJSON(gv[k], wv[k], k, where+"."+k); d != "" {
				return d
			}
		}
	case []any:
		gv, ok := g.([]any)
		if !ok || len(gv) != len(wv) {
			return fmt.Sprintf("%s: got %v, want %d entries", where, g, len(wv))
		}
		for i := range wv {
			if d := diffJSON(gv[i], wv[i], key, fmt.Sprintf("%s[%d]", where, i)); d != "" {
				return d
			}
		}
	case float64:
		gv, ok := g.(float64)
		if !ok || (key == "score" && math.Abs(gv-wv) > 1e-4) || (key != "score" && gv != wv) {
			return fmt.Sprintf("%s: got %v, want %v", where, g, w)
		}
	default:
		if fmt.Sprint(g) != fmt.Sprint(w) {
			return fmt.Sprintf("%s: got %v, want %v", where, g, w)
		}
	}
	return ""
}

func TestFillMaskCommand(t *testing.T) {
	dir, cases := pipelineFixture(t, "fill-mask.json")
	var lines, want []string
	for _, c := range cases { // default top_k, one mask and several masks
		if len(c.Kwargs) == 1 && c.Kwargs["top_k"] == 5.0 && len(lines) < 3 || c.ID == "fm-027" {
			lines = append(lines, `{"text":`+string(c.Args[0])+`}`)
			want = append(want, string(c.Output))
		}
	}
	got := runCommand(t, runFillMask, lines, "--model", filepath.Join(dir, "models", "fill-mask"))
	if len(got) != len(want) {
		t.Fatalf("%d output lines for %d inputs", len(got), len(want))
	}
	for i := range want {
		if d := sameJSON(got[i], want[i]); d != "" {
			t.Errorf("line %d: %s", i+1, d)
		}
	}

	// Targets, with texts given as arguments.
	for _, c := range cases {
		ts, ok := c.Kwargs["targets"].([]any)
		if !ok {
			continue
		}
		var targets []string
		for _, s := range ts {
			targets = append(targets, s.(string))
		}
		var text string
		json.Unmarshal(c.Args[0], &text)
		out := filepath.Join(t.TempDir(), "out.jsonl")
		err := runFillMask([]string{"--model", filepath.Join(dir, "models", "fill-mask"), "--out", out,
			"--top-k", fmt.Sprint(c.Kwargs["top_k"]), "--targets", strings.Join(targets, ","), text})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(out)
		if d := sameJSON(string(data), string(c.Output)); d != "" {
			t.Errorf("%s: %s", c.ID, d)
		}
	}
}

func TestFillMaskCommandErrors(t *testing.T) {
	dir := conformance.Dir(t, "pipelines")
	in := filepath.Join(t.TempDir(), "in.jsonl")
	os.WriteFile(in, []byte("{\"text\":\"a [MASK].\"}\n{\"text\":\"no mask here\"}\n"), 0o644)
	err := runFillMask([]string{"--model", filepath.Join(dir, "models", "fill-mask"), "--in", in, "--out", os.DevNull})
	if err == nil || !strings.Contains(err.Error(), "in.jsonl:2:") {
		t.Errorf("error %v, want one naming in.jsonl:2", err)
	}
}
