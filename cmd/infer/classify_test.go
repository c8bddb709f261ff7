package main

import (
	"encoding/json"
	"path/filepath"
	"testing"
)

func TestClassifyCommand(t *testing.T) {
	dir, cases := pipelineFixture(t, "text-classification.json")
	model := filepath.Join(dir, "models", "text-classification")
	for _, c := range []struct {
		name string
		args []string
		pick func(kw map[string]any) bool
	}{
		{"--all", []string{"--all"}, func(kw map[string]any) bool { _, ok := kw["top_k"]; return ok && kw["top_k"] == nil && len(kw) == 1 }},
		{"default", nil, func(kw map[string]any) bool { return len(kw) == 0 }},
		{"--top-k 2", []string{"--top-k", "2"}, func(kw map[string]any) bool { return kw["top_k"] == 2.0 }},
		{"--function sigmoid --all", []string{"--function", "sigmoid", "--all"}, func(kw map[string]any) bool { return kw["function_to_apply"] == "sigmoid" }},
	} {
		var lines, want []string
		for _, tc := range cases {
			if !c.pick(tc.Kwargs) || len(lines) == 3 {
				continue
			}
			line := string(tc.Args[0])
			var s string
			if json.Unmarshal(tc.Args[0], &s) == nil {
				line = `{"text":` + line + `}`
			}
			lines, want = append(lines, line), append(want, string(tc.Output))
		}
		if len(lines) == 0 {
			t.Fatalf("%s: no case", c.name)
		}
		got := runCommand(t, runClassify, lines, append([]string{"--model", model}, c.args...)...)
		for i := range want {
			if d := sameJSON(got[i], want[i]); d != "" {
				t.Errorf("%s line %d: %s", c.name, i+1, d)
			}
		}
	}
}
