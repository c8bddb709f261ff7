package graph_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gorbert/gorbert/graph"
)

func TestReadInputsPadsRaggedRows(t *testing.T) {
	p := filepath.Join(t.TempDir(), "inputs.json")
	body := `{"input_ids": [[2, 7, 9, 3], [2, 5]], "token_type_ids": [[0, 0, 1, 1], [0, 1]],
	          "attention_mask": [[1, 1, 1, 0], [1, 1]], "labels": [1, 0], "special_tokens": {"pad": 4}}`
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := graph.ReadInputs(p, 4)
	if err != nil {
		t.Fatal(err)
	}
	if b.Size != 2 || b.SeqLen != 4 {
		t.Fatalf("batch %d x %d, want 2 x 4", b.Size, b.SeqLen)
	}
	for _, c := range []struct {
		name      string
		got, want []int
	}{
		{"input_ids", b.InputIDs, []int{2, 7, 9, 3, 2, 5, 4, 4}},
		{"token_type_ids", b.TokenTypeIDs, []int{0, 0, 1, 1, 0, 1, 0, 0}},
		{"attention_mask", b.AttentionMask, []int{1, 1, 1, 0, 1, 1, 0, 0}},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	// Without token_type_ids and attention_mask: types 0, mask 1 on real tokens.
	if err := os.WriteFile(p, []byte(`{"input_ids": [[2, 3], [2, 8, 8, 3]]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err = graph.ReadInputs(p, 0); err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 1, 0, 0, 1, 1, 1, 1}; !slices.Equal(b.AttentionMask, want) {
		t.Errorf("attention_mask = %v, want %v", b.AttentionMask, want)
	}
	if want := []int{2, 3, 0, 0, 2, 8, 8, 3}; !slices.Equal(b.InputIDs, want) {
		t.Errorf("input_ids = %v, want %v", b.InputIDs, want)
	}
	if want := make([]int, 8); !slices.Equal(b.TokenTypeIDs, want) {
		t.Errorf("token_type_ids = %v, want zeros", b.TokenTypeIDs)
	}
}

func TestReadInputsErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"empty file", "  \n", []string{"empty file"}},
		{"malformed", `{"input_ids": [[2, 3]`, []string{"malformed inputs JSON"}},
		{"not ints", `{"input_ids": [[2, 3.5]]}`, []string{"malformed inputs JSON"}},
		{"wrong type", `{"input_ids": "hello"}`, []string{"malformed inputs JSON"}},
		{"no input_ids", `{"token_type_ids": [[0]]}`, []string{"empty batch"}},
		{"empty batch", `{"input_ids": []}`, []string{"empty batch"}},
		{"empty row", `{"input_ids": [[2, 3], []]}`, []string{"input_ids row 1 is empty"}},
		{"ragged types", `{"input_ids": [[2, 3], [2, 5, 3]], "token_type_ids": [[0, 0], [0, 0]]}`,
			[]string{"token_type_ids row 1 has 2 values", "input_ids row 1 has 3"}},
		{"types rows", `{"input_ids": [[2, 3], [2, 3]], "token_type_ids": [[0, 0]]}`,
			[]string{"token_type_ids has 1 rows", "input_ids has 2"}},
		{"ragged mask", `{"input_ids": [[2, 3]], "attention_mask": [[1, 1, 1]]}`,
			[]string{"attention_mask row 0 has 3 values", "input_ids row 0 has 2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".json")
			if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := graph.ReadInputs(p, 0)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(c.want, p) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := graph.ReadInputs(filepath.Join(dir, "absent.json"), 0); err == nil || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("missing file: error %v", err)
	}
}
