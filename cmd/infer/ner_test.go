package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestNERCommand(t *testing.T) {
	dir, cases := pipelineFixture(t, "token-classification.json")
	model := filepath.Join(dir, "models", "token-classification")
	for _, strategy := range []string{"none", "simple", "first", "average", "max"} {
		var lines, want []string
		for _, c := range cases[:4] {
			for _, call := range c.Calls {
				if call.Kwargs["aggregation_strategy"] == strategy && call.Kwargs["ignore_labels"] == nil {
					text, _ := json.Marshal(c.Text)
					lines, want = append(lines, `{"text":`+string(text)+`}`), append(want, string(call.Output))
				}
			}
		}
		got := runCommand(t, runNER, lines, "--model", model, "--aggregation", strategy)
		for i := range want {
			if d := sameJSON(got[i], want[i]); d != "" {
				t.Errorf("%s line %d: %s", strategy, i+1, d)
			}
		}
	}
	// --ignore-labels "" keeps the O groups.
	for _, c := range cases {
		for _, call := range c.Calls {
			if il, ok := call.Kwargs["ignore_labels"].([]any); ok {
				var labels []string
				for _, l := range il {
					labels = append(labels, l.(string))
				}
				text, _ := json.Marshal(c.Text)
				got := runCommand(t, runNER, []string{`{"text":` + string(text) + `}`}, "--model", model,
					"--aggregation", call.Kwargs["aggregation_strategy"].(string), "--ignore-labels", strings.Join(labels, ","))
				if d := sameJSON(got[0], string(call.Output)); d != "" {
					t.Errorf("%s ignore %q: %s", c.ID, labels, d)
				}
			}
		}
	}
}
