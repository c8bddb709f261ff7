package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestPlotCommand(t *testing.T) {
	dir := t.TempDir()
	metrics := filepath.Join(dir, "metrics.jsonl")
	var b strings.Builder
	for s := 1; s <= 20; s++ {
		b.WriteString(`{"step":` + strconv.Itoa(s) + `,"loss":` + strconv.Itoa(30-s) + `,"mlm_loss":` + strconv.Itoa(25-s) + `,"lr":0.001}` + "\n")
	}
	b.WriteString(`{"step":20,"eval_mlm_accuracy":0.2,"eval_nsp_accuracy":0.6,"eval_baseline_accuracy":0.05}` + "\n")
	if err := os.WriteFile(metrics, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "curves.png")
	var stderr bytes.Buffer
	if code := commands.Run([]string{"plot", "--metrics", metrics, "--out", out}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) || len(data) < 10000 {
		t.Fatalf("%s: %d bytes, not a plot PNG", out, len(data))
	}

	// A bad line is reported as file:line.
	if err := os.WriteFile(metrics, []byte(`{"step":1,"loss":2}`+"\n"+`{"step":2,"loss":`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := commands.Run([]string{"plot", "--metrics", metrics, "--out", out}, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), metrics+":2: not a JSON object") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
	stderr.Reset()
	if code := commands.Run([]string{"plot", "--out", out}, &stderr); code != 1 || !strings.Contains(stderr.String(), "need --metrics") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}
}
