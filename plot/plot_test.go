package plot

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pretrainMetrics is what train.Pretrain writes: training records every
// few steps, evaluation records now and then.
func pretrainMetrics(steps int) string {
	var b strings.Builder
	for s := 10; s <= steps; s += 10 {
		fmt.Fprintf(&b, `{"step":%d,"loss":%g,"mlm_loss":%g,"nsp_loss":%g,"lr":%g,"grad_norm":1.5,"tokens_per_sec":900}`+"\n",
			s, 10.0/float64(s)+2, 9.0/float64(s)+1.5, 0.69-float64(s)/1e4, 1e-3*float64(s)/float64(steps))
		if s%50 == 0 {
			fmt.Fprintf(&b, `{"step":%d,"eval_mlm_accuracy":%g,"eval_mlm_loss":%g,"eval_perplexity":%g,"eval_nsp_accuracy":%g,"eval_baseline_accuracy":0.05}`+"\n",
				s, float64(s)/float64(2*steps), 5.0-float64(s)/100, 100.0, 0.5+float64(s)/float64(4*steps))
		}
	}
	return b.String()
}

func TestParseMetrics(t *testing.T) {
	m, err := ParseMetrics(strings.NewReader(pretrainMetrics(100)+"\n"+
		`{"step":100,"improved":true,"note":"x","eval_accuracy":null}`+"\n"), "m.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	loss := m.Series("loss")
	if loss == nil || len(loss.Steps) != 10 || loss.Steps[9] != 100 || loss.Last() != 2.1 {
		t.Fatalf("loss series = %+v", loss)
	}
	if acc := m.Series("eval_mlm_accuracy"); acc == nil || len(acc.Values) != 2 || acc.Steps[0] != 50 {
		t.Fatalf("eval_mlm_accuracy = %+v", acc)
	}
	for _, skipped := range []string{"improved", "note", "eval_accuracy", "step"} {
		if m.Series(skipped) != nil {
			t.Errorf("series %q should not exist", skipped)
		}
	}
}

func TestParseMetricsErrorsNameTheLine(t *testing.T) {
	good := `{"step":1,"loss":2}` + "\n"
	for _, tc := range []struct{ name, input, want string }{
		{"not json", good + "\n" + "loss=3\n", "m.jsonl:3: not a JSON object"},
		{"truncated", good + `{"step":2,"loss":` + "\n", "m.jsonl:2: not a JSON object"},
		{"array", `[1,2]` + "\n", "m.jsonl:1: not a JSON object"},
		{"null", "null\n", "m.jsonl:1: not a JSON object"},
		{"two values", good + `{"step":2} {"step":3}` + "\n", "m.jsonl:2: more than one JSON value"},
		{"no step", good + good + `{"loss":2}` + "\n", `m.jsonl:3: record has no "step"`},
		{"string step", `{"step":"4","loss":2}` + "\n", `m.jsonl:1: "step": 4 is not a number`},
		{"fractional step", `{"step":1.5}` + "\n", `m.jsonl:1: "step" is 1.5`},
		{"negative step", `{"step":-1}` + "\n", `m.jsonl:1: "step" is -1`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMetrics(strings.NewReader(tc.input), "m.jsonl")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// checkPNG decodes a PNG and checks its size is that of the figure.
func checkPNG(t *testing.T, data []byte, f *Figure) {
	t.Helper()
	if !bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG: % x", data[:min(8, len(data))])
	}
	if len(data) < 10000 {
		t.Fatalf("PNG of %d bytes: too small to hold a plot", len(data))
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	w, h := int(float64(f.Width/Inch)*PNGDPI+0.5), int(float64(f.Height/Inch)*PNGDPI+0.5)
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("image is %v, want %dx%d", b, w, h)
	}
}

func TestCurvesPNG(t *testing.T) {
	m, err := ParseMetrics(strings.NewReader(pretrainMetrics(200)), "m.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Curves(m)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "curves.png")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, data, f)
	if f.Width < 10*Inch { // loss, lr, accuracy: three panels, two columns
		t.Errorf("width %v: want two columns of panels", f.Width)
	}
	svg, err := f.SVG()
	if err != nil || !strings.Contains(svg, "<svg") || !strings.Contains(svg, "eval_mlm_accuracy") {
		t.Fatalf("SVG: %v, %.200q", err, svg)
	}
}

func TestCurvesFinetuning(t *testing.T) {
	in := `{"step":5,"epoch":0.5,"loss":0.7,"lr":2e-5,"grad_norm":3}
{"step":10,"epoch":1,"loss":0.6,"lr":1e-5,"grad_norm":2}
{"step":10,"epoch":1,"best_accuracy":0.7,"improved":true,"eval_accuracy":0.7,"eval_f1_macro":0.68,"eval_mcc":0.4,"eval_loss":0.62}
`
	m, err := ParseMetrics(strings.NewReader(in), "ft.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Curves(m)
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, data, f)
}

func TestCurvesNothingToPlot(t *testing.T) {
	m, err := ParseMetrics(strings.NewReader(`{"step":1,"tokens_per_sec":3}`), "m.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Curves(m); err == nil || !strings.Contains(err.Error(), "m.jsonl has none of the series") {
		t.Fatalf("error %v", err)
	}
}

func TestAttentionPNG(t *testing.T) {
	tokens := []string{"[CLS]", "the", "go", "##pher", "runs", "[SEP]"}
	w := make([][]float64, len(tokens))
	for i := range w {
		w[i] = make([]float64, len(tokens))
		for j := range w[i] {
			w[i][j] = 1 / float64(len(tokens))
		}
	}
	f, err := Attention(w, tokens, "layer 0, head 0")
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, data, f)
	if _, err := Attention(w[:3], tokens, ""); err == nil {
		t.Fatal("3 rows with 6 labels: no error")
	}
}

func TestConfusion(t *testing.T) {
	gold := []int{0, 0, 1, 1, 1, 2}
	pred := []int{0, 1, 1, 1, 2, 2}
	m, err := ConfusionMatrix(gold, pred, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int{{1, 1, 0}, {0, 2, 1}, {0, 0, 1}}
	if fmt.Sprint(m) != fmt.Sprint(want) {
		t.Fatalf("matrix %v, want %v", m, want)
	}
	f, err := Confusion(m, []string{"negative", "neutral", "positive"}, "dev")
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.PNG()
	if err != nil {
		t.Fatal(err)
	}
	checkPNG(t, data, f)
	if _, err := ConfusionMatrix([]int{0, 3}, []int{0, 0}, 3); err == nil {
		t.Fatal("label 3 of 3 classes: no error")
	}
}

func TestSaveUnknownFormat(t *testing.T) {
	m, _ := ParseMetrics(strings.NewReader(`{"step":1,"loss":3}`), "m.jsonl")
	f, err := Curves(m)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Save(filepath.Join(t.TempDir(), "x.gif")); err == nil || !strings.Contains(err.Error(), ".png or .svg") {
		t.Fatalf("error %v", err)
	}
}
