package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
)

func TestQACommand(t *testing.T) {
	dir, cases := pipelineFixture(t, "question-answering.json")
	model := filepath.Join(dir, "models", "question-answering")
	inputs := func(c pipelineCase) string {
		var s string
		if json.Unmarshal(c.KwargsInputs, &s) == nil {
			return s
		}
		var b bytes.Buffer
		if err := json.Compact(&b, c.KwargsInputs); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	for _, g := range []struct {
		group string
		args  []string
	}{
		{"windows64", []string{"--top-k", "3", "--doc-stride", "32", "--max-seq-len", "64", "--max-question-len", "16"}},
		{"windows64_no_align", []string{"--top-k", "3", "--doc-stride", "32", "--max-seq-len", "64", "--no-align"}},
		{"defaults_short_impossible", []string{"--handle-impossible"}},
		{"defaults_long", nil},
	} {
		var lines, want []string
		for _, c := range cases {
			if groupOf(t, dir, c.ID) == g.group && len(lines) < 2 {
				lines, want = append(lines, inputs(c)), append(want, string(c.Output))
			}
		}
		if len(lines) == 0 {
			t.Fatalf("no case in group %s", g.group)
		}
		got := runCommand(t, runQA, lines, append([]string{"--model", model}, g.args...)...)
		for i := range want {
			if d := sameJSON(got[i], want[i]); d != "" {
				t.Errorf("%s line %d: %s", g.group, i+1, d)
			}
		}
	}
}

var qaGroups map[string]string

// groupOf returns a QA case's group (how it was called).
func groupOf(t *testing.T, dir, id string) string {
	if qaGroups == nil {
		var doc struct {
			Cases []struct {
				ID    string `json:"id"`
				Group string `json:"group"`
			} `json:"cases"`
		}
		data := readFile(t, filepath.Join(dir, "question-answering.json"))
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		qaGroups = map[string]string{}
		for _, c := range doc.Cases {
			qaGroups[c.ID] = c.Group
		}
	}
	return qaGroups[id]
}
