package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/internal/conformance"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestEmbedCommand(t *testing.T) {
	dir, cases := pipelineFixture(t, "feature-extraction.json")
	model := filepath.Join(dir, "models", "text-classification")
	want, _, _, err := checkpoint.ReadSafetensors(filepath.Join(dir, "feature-extraction.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range cases[:3] {
		lines = append(lines, `{"text":`+string(c.Args[0])+`}`)
	}

	// all, as safetensors: features.<i> equal HuggingFace's.
	out := filepath.Join(t.TempDir(), "f.safetensors")
	in := filepath.Join(t.TempDir(), "in.jsonl")
	os.WriteFile(in, []byte(lines[0]+"\n"+lines[1]+"\n"+lines[2]+"\n"), 0o644)
	if err := runEmbed([]string{"--model", model, "--pooling", "all", "--format", "safetensors", "--in", in, "--out", out}); err != nil {
		t.Fatal(err)
	}
	got, _, _, err := checkpoint.ReadSafetensors(out)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases[:3] {
		g, w := got["features."+string(rune('0'+i))], want["features."+c.ID]
		if ok, msg := conformance.Close(g.Data, w.Data, 1e-4, 1e-4); !ok || len(g.Shape) != 3 {
			t.Errorf("%s: shape %v: %s", c.ID, g.Shape, msg)
		}
	}

	// cls and mean, as JSON Lines: the first and the mean token vector.
	for _, pooling := range []string{"cls", "mean"} {
		res := runCommand(t, runEmbed, lines, "--model", model, "--pooling", pooling)
		for i, c := range cases[:3] {
			var vec []float32
			if err := json.Unmarshal([]byte(res[i]), &vec); err != nil {
				t.Fatal(err)
			}
			w := want["features."+c.ID]
			S, H := w.Shape[1], w.Shape[2]
			exp := make([]float32, H)
			for s := 0; s < S; s++ {
				for h := 0; h < H; h++ {
					if pooling == "cls" && s == 0 {
						exp[h] = w.Data[h]
					} else if pooling == "mean" {
						exp[h] += w.Data[s*H+h] / float32(S)
					}
				}
			}
			if ok, msg := conformance.Close(vec, exp, 1e-4, 1e-4); !ok {
				t.Errorf("%s %s: %s", pooling, c.ID, msg)
			}
		}
	}
}
