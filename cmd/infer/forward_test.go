package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/internal/conformance"
)

// TestForwardConformance runs `infer forward` on every case of the model
// suite and compares the written file with HuggingFace's expected outputs:
// the same names (no more, no fewer) and every value within 1e-4 + 1e-4·|want|.
func TestForwardConformance(t *testing.T) {
	dir := conformance.Dir(t, "model")
	cases, tensors, values := 0, 0, 0
	for _, c := range conformance.Cases(t, dir) {
		t.Run(filepath.Base(c), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.safetensors")
			if err := runForward([]string{"--model", c, "--inputs", filepath.Join(c, "inputs.json"), "--out", out}); err != nil {
				t.Fatal(err)
			}
			got := conformance.ReadTensors(t, out)
			want := conformance.ReadTensors(t, filepath.Join(c, "expected.safetensors"))
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("wrote %q, which expected.safetensors does not have", name)
				}
			}
			for name, w := range want {
				g, ok := got[name]
				if !ok {
					t.Errorf("expected tensor %q was not written", name)
					continue
				}
				if !slices.Equal(g.Shape, w.Shape) {
					t.Errorf("%s: shape %v, want %v", name, g.Shape, w.Shape)
					continue
				}
				if ok, worst := conformance.Close(g.Data, w.Data, 1e-4, 1e-4); !ok {
					t.Errorf("%s: %s", name, worst)
				}
				tensors++
				values += len(w.Data)
			}
			cases++
		})
	}
	t.Logf("compared %d tensors (%d values) in %d cases", tensors, values, cases)
	if cases == 0 || tensors == 0 {
		t.Fatal("nothing compared")
	}
}

// TestForwardSelectedOutputsAndRaggedRows: --outputs restricts the file to
// the named tensors, and ragged rows are padded like the fixture's own
// explicitly padded rows (pad id, mask 0), giving the same values.
func TestForwardSelectedOutputsAndRaggedRows(t *testing.T) {
	c := filepath.Join(conformance.Dir(t, "model"), "qa")
	var in conformance.Inputs
	conformance.ReadJSON(t, filepath.Join(c, "inputs.json"), &in)
	// Drop the padding of every row, and the attention mask: ReadInputs must rebuild both.
	ids, types := make([][]int, len(in.InputIDs)), make([][]int, len(in.InputIDs))
	for i, row := range in.InputIDs {
		n := 0
		for _, m := range in.AttentionMask[i] {
			n += m
		}
		if n == len(row) && i > 0 {
			t.Fatalf("row %d of the qa fixture has no padding; the test needs ragged rows", i)
		}
		ids[i], types[i] = row[:n], in.TokenTypeIDs[i][:n]
	}
	tmp := t.TempDir()
	inputs := filepath.Join(tmp, "inputs.json")
	data, err := json.Marshal(map[string][][]int{"input_ids": ids, "token_type_ids": types})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(inputs, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(tmp, "out.safetensors")
	if err := runForward([]string{"--model", c, "--inputs", inputs, "--out", out, "--outputs", "start_logits, end_logits,attentions.1"}); err != nil {
		t.Fatal(err)
	}
	got := conformance.ReadTensors(t, out)
	var names []string
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	if want := []string{"attentions.1", "end_logits", "start_logits"}; !slices.Equal(names, want) {
		t.Fatalf("wrote %v, want %v", names, want)
	}
	want := conformance.ReadTensors(t, filepath.Join(c, "expected.safetensors"))
	for _, n := range names {
		if !slices.Equal(got[n].Shape, want[n].Shape) {
			t.Fatalf("%s: shape %v, want %v", n, got[n].Shape, want[n].Shape)
		}
		if ok, worst := conformance.Close(got[n].Data, want[n].Data, 1e-4, 1e-4); !ok {
			t.Errorf("%s from ragged rows: %s", n, worst)
		}
	}
}

// TestForwardErrors: usage mistakes and bad inputs are reported, naming what is wrong.
func TestForwardErrors(t *testing.T) {
	c := filepath.Join(conformance.Dir(t, "model"), "seqcls")
	tmp := t.TempDir()
	out := filepath.Join(tmp, "out.safetensors")
	write := func(name, content string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := filepath.Join(c, "inputs.json")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"no flags", nil, []string{"--model", "--inputs", "--out", "required"}},
		{"no out", []string{"--model", c, "--inputs", good}, []string{"--out required"}},
		{"stray argument", []string{"--model", c, "--inputs", good, "--out", out, "extra"}, []string{"unexpected arguments", "extra"}},
		{"unknown flag", []string{"--model", c, "--bogus"}, []string{"bogus"}},
		{"no model", []string{"--model", filepath.Join(tmp, "nope"), "--inputs", good, "--out", out}, []string{"nope", "config.json"}},
		{"malformed inputs", []string{"--model", c, "--inputs", write("bad.json", `{"input_ids": [[2, 3]`), "--out", out}, []string{"bad.json", "malformed"}},
		{"empty batch", []string{"--model", c, "--inputs", write("empty.json", `{"input_ids": []}`), "--out", out}, []string{"empty.json", "empty batch"}},
		{"ragged types", []string{"--model", c, "--inputs", write("ragged.json", `{"input_ids": [[2, 5, 3]], "token_type_ids": [[0, 0]]}`), "--out", out}, []string{"ragged.json", "token_type_ids row 0 has 2 values", "input_ids row 0 has 3"}},
		{"id out of vocabulary", []string{"--model", c, "--inputs", write("oov.json", `{"input_ids": [[2, 500, 3]]}`), "--out", out}, []string{"oov.json", "500", "vocabulary"}},
		{"unknown output", []string{"--model", c, "--inputs", good, "--out", out, "--outputs", "logits,start_logits"}, []string{"start_logits"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := runForward(tc.args)
			if err == nil {
				t.Fatalf("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if _, statErr := os.Stat(out); statErr == nil {
				t.Errorf("%s was written despite the error", out)
			}
		})
	}
}
