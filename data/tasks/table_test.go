package tasks

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseTable(t *testing.T) {
	tests := []struct {
		name, file, data string
		opts             TableOptions
		want             []TextExample
	}{
		{
			name: "SST-2 layout, trailing space kept",
			file: "train.tsv",
			data: "sentence\tlabel\nit 's a charming journey . \t1\n\nbleak \t0\n",
			want: []TextExample{
				{ID: "train.tsv:2", TextA: "it 's a charming journey . ", Label: "1"},
				{ID: "train.tsv:4", TextA: "bleak ", Label: "0"},
			},
		},
		{
			name: "MRPC-style pair with extra columns, CRLF",
			file: "dev.tsv",
			data: "label\t#1 ID\t#2 ID\tsentence1\tsentence2\r\n1\t10\t11\tHe said \"yes\".\tHe agreed.\r\n",
			want: []TextExample{{ID: "dev.tsv:2", TextA: `He said "yes".`, TextB: "He agreed.", Label: "1"}},
		},
		{
			name: "QNLI question/sentence with names as labels",
			file: "qnli.tsv",
			data: "index\tquestion\tsentence\tlabel\n0\tWho?\tNobody.\tnot_entailment\n",
			want: []TextExample{{ID: "qnli.tsv:2", TextA: "Who?", TextB: "Nobody.", Label: "not_entailment"}},
		},
		{
			name: "unlabelled test file",
			file: "test.tsv",
			data: "index\tsentence\n0\tfine\n",
			want: []TextExample{{ID: "test.tsv:2", TextA: "fine"}},
		},
		{
			name: "columns named by the caller",
			file: "x.tsv",
			data: "review\tstars\tsentence\ngood\t5\tignored\n",
			opts: TableOptions{Columns: Columns{TextA: "review", Label: "stars"}},
			want: []TextExample{{ID: "x.tsv:2", TextA: "good", Label: "5"}},
		},
		{
			name: "CoLA without header, by index",
			file: "in_domain_train.tsv",
			data: "gj04\t1\t\tOur friends won't buy this analysis.\ngj04\t0\t*\tThey drank the pub.\n",
			opts: TableOptions{Index: &ColumnIndex{TextA: 3, TextB: -1, Label: 1}},
			want: []TextExample{
				{ID: "in_domain_train.tsv:1", TextA: "Our friends won't buy this analysis.", Label: "1"},
				{ID: "in_domain_train.tsv:2", TextA: "They drank the pub.", Label: "0"},
			},
		},
		{
			name: "CSV with quoted comma and newline, BOM",
			file: "data.csv",
			data: "\ufefftext,label\n\"Well, \"\"fine\"\"\nreally\",pos\nbad,neg\n",
			want: []TextExample{
				{ID: "data.csv:2", TextA: "Well, \"fine\"\nreally", Label: "pos"},
				{ID: "data.csv:4", TextA: "bad", Label: "neg"},
			},
		},
		{
			name: "STS-B regression scores",
			file: "sts.tsv",
			data: "sentence1\tsentence2\tscore\nA man.\tA person.\t3.800\n",
			want: []TextExample{{ID: "sts.tsv:2", TextA: "A man.", TextB: "A person.", Label: "3.800"}},
		},
		{
			name: "JSON Lines text/label, numbers and names",
			file: "train.jsonl",
			data: "{\"text\": \"great\", \"label\": 1}\n\n{\"text\": \"awful\", \"label\": \"0\"}\n{\"text\": \"?\", \"label\": null}\n",
			want: []TextExample{
				{ID: "train.jsonl:1", TextA: "great", Label: "1"},
				{ID: "train.jsonl:3", TextA: "awful", Label: "0"},
				{ID: "train.jsonl:4", TextA: "?"},
			},
		},
		{
			name: "JSON Lines pair",
			file: "pairs.jsonl",
			data: `{"text_a": "A", "text_b": "B", "label": "entailment"}` + "\n",
			want: []TextExample{{ID: "pairs.jsonl:1", TextA: "A", TextB: "B", Label: "entailment"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTable(strings.NewReader(tc.data), tc.file, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseTableErrors(t *testing.T) {
	tests := []struct {
		name, file, data string
		opts             TableOptions
		wantErr          string // must appear in the error
	}{
		{"no known column", "a.tsv", "foo\tbar\nx\ty\n", TableOptions{}, "a.tsv:1: no known text column"},
		{"named column missing", "a.tsv", "sentence\tlabel\nx\t1\n", TableOptions{Columns: Columns{TextA: "text"}}, `a.tsv:1: no column "text"`},
		{"named label missing", "a.tsv", "sentence\tlabel\nx\t1\n", TableOptions{Columns: Columns{Label: "y"}}, `no label column "y"`},
		{"short row", "a.tsv", "sentence\tlabel\nx\t1\nonly\n", TableOptions{}, "a.tsv:3: 1 fields, need at least 2"},
		{"empty label", "a.tsv", "sentence\tlabel\nx\t \n", TableOptions{}, "a.tsv:2: empty label"},
		{"empty file", "a.tsv", "", TableOptions{}, "a.tsv: empty file"},
		{"bad CSV quote", "a.csv", "text,label\n\"x\"y,1\n", TableOptions{}, "a.csv:2:"},
		{"bad JSON", "a.jsonl", "{\"text\": \"x\", \"label\": 1}\n{\"text\": \n", TableOptions{}, "a.jsonl:2:"},
		{"JSON text not a string", "a.jsonl", "{\"text\": 3, \"label\": 1}\n", TableOptions{}, `a.jsonl:1: field "text": want a string`},
		{"JSON key missing later", "a.jsonl", "{\"text\": \"x\", \"label\": 1}\n{\"label\": 1}\n", TableOptions{}, `a.jsonl:2: no "text" field`},
		{"JSON with index", "a.jsonl", "{}\n", TableOptions{Index: &ColumnIndex{}}, "column indexes do not apply"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseTable(strings.NewReader(tc.data), tc.file, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestLabelSet(t *testing.T) {
	ex := []TextExample{{Label: "10"}, {Label: "2"}, {Label: "2"}, {Label: ""}, {Label: "1.5"}}
	ls := BuildLabelSet(ex)
	if got, want := ls.Names(), []string{"1.5", "2", "10"}; !slices.Equal(got, want) {
		t.Errorf("numeric labels sorted as %q, want %q", got, want)
	}
	ls = BuildLabelSet([]TextExample{{Label: "neutral"}, {Label: "entailment"}, {Label: "contradiction"}})
	if got, want := ls.Names(), []string{"contradiction", "entailment", "neutral"}; !slices.Equal(got, want) {
		t.Errorf("names sorted as %q, want %q", got, want)
	}
	ids, err := ls.IDs([]TextExample{{ID: "f:2", Label: "neutral"}, {ID: "f:3", Label: "contradiction"}})
	if err != nil || !slices.Equal(ids, []int{2, 0}) {
		t.Errorf("IDs = %v, %v", ids, err)
	}
	if _, err := ls.IDs([]TextExample{{ID: "f:9", Label: "maybe"}}); err == nil || !strings.Contains(err.Error(), "f:9") {
		t.Errorf("unknown label error %v does not name the example", err)
	}
	if id, ok := ls.ID("entailment"); !ok || id != 1 || ls.Name(1) != "entailment" || ls.Name(3) != "" || ls.Len() != 3 {
		t.Error("ID/Name/Len disagree")
	}
	given, err := NewLabelSet([]string{"neg", "pos"})
	if err != nil || given.Name(0) != "neg" {
		t.Errorf("NewLabelSet kept order? %v %v", given, err)
	}
	if _, err := NewLabelSet([]string{"a", "a"}); err == nil {
		t.Error("duplicate label accepted")
	}
	ys, err := Targets([]TextExample{{Label: "3.8"}, {Label: "0"}})
	if err != nil || !slices.Equal(ys, []float64{3.8, 0}) {
		t.Errorf("Targets = %v, %v", ys, err)
	}
	if _, err := Targets([]TextExample{{ID: "s:4", Label: "high"}}); err == nil || !strings.Contains(err.Error(), "s:4") {
		t.Errorf("bad target error %v", err)
	}
}

func TestReadSST2(t *testing.T) {
	dir := sharedDatasets(t)
	for _, c := range []struct {
		file           string
		rows, neg, pos int
	}{
		{"train.tsv", 67349, 29780, 37569},
		{"dev.tsv", 872, 428, 444},
	} {
		ex, err := ReadTable(filepath.Join(dir, "sst2", c.file), TableOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ls := BuildLabelSet(ex)
		ids, err := ls.IDs(ex)
		if err != nil {
			t.Fatal(err)
		}
		var n [2]int
		for _, id := range ids {
			n[id]++
		}
		if len(ex) != c.rows || n[0] != c.neg || n[1] != c.pos || !slices.Equal(ls.Names(), []string{"0", "1"}) {
			t.Errorf("%s: %d rows (%d neg, %d pos), labels %q; want %d (%d, %d)", c.file, len(ex), n[0], n[1], ls.Names(), c.rows, c.neg, c.pos)
		}
		t.Logf("SST-2 %s: %d examples", c.file, len(ex))
	}
}
