package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"

	"github.com/gorbert/gorbert"
	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/export"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/cli"
)

func init() {
	commands.Register(cli.Command{
		Name:    "export",
		Summary: "write a model's graph as Graphviz DOT or as an ONNX model",
		Run:     runExport,
	})
}

// runExport: infer export --format dot|onnx --model DIR [--task T] --out FILE
// with --batch/--seq for DOT (Gorgonia graphs have fixed shapes) and
// --opset/--external-data-threshold for ONNX (dynamic batch and sequence axes).
func runExport(args []string) error {
	fs := cli.FlagSet("infer", "export", "--format dot|onnx --model DIR [--task T] [--batch B --seq S] [--opset 17|14] --out FILE")
	format := fs.String("format", "", "dot or onnx (default: from --out's extension)")
	model := fs.String("model", "", "HuggingFace model folder (config.json + model.safetensors)")
	task := fs.String("task", "", "export for this task (base, mlm, pretraining, classify, ner, qa) instead of the folder's own; heads the folder lacks are freshly initialised from --seed")
	seed := fs.Int64("seed", 1, "random seed for heads --task adds")
	out := fs.String("out", "", "file to write (graph.dot, model.onnx)")
	batch := fs.Int("batch", 1, "dot: batch size of the graph")
	seq := fs.Int("seq", 8, "dot: sequence length of the graph")
	opset := fs.Int("opset", export.DefaultOpset, "onnx: ai.onnx opset, 17 (LayerNormalization) or 14")
	threshold := fs.Int64("external-data-threshold", 0, "onnx: weights larger than this many bytes go to FILE.data beside the model (0: 2 GiB - 64 MiB, -1: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *model == "" || *out == "" {
		return fmt.Errorf("--model and --out are required")
	}
	if *format == "" {
		*format = strings.TrimPrefix(filepath.Ext(*out), ".")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	onlyFor := map[string]string{"batch": "dot", "seq": "dot", "opset": "onnx", "external-data-threshold": "onnx"}
	switch *format {
	case "dot", "onnx":
		for name, f := range onlyFor {
			if set[name] && f != *format {
				return fmt.Errorf("--%s applies to --format %s only", name, f)
			}
		}
	default:
		return fmt.Errorf("--format %q: want dot or onnx", *format)
	}

	p, err := loadForExport(*model, *task, *seed)
	if err != nil {
		return err
	}
	if *format == "dot" {
		svg, err := export.WriteDOT(*out, p, *batch, *seq)
		if err != nil {
			return err
		}
		fmt.Printf("wrote %s: %s graph for batch %d x seq %d\n", *out, p.Task.Architecture(), *batch, *seq)
		if svg != "" {
			fmt.Printf("wrote %s\n", svg)
		} else {
			fmt.Println("no SVG: Graphviz's dot is not on PATH")
		}
		return nil
	}
	res, err := export.WriteONNX(*out, p, export.Options{Opset: *opset, ExternalDataThreshold: *threshold})
	if err != nil {
		return err
	}
	where := "inside the file"
	if res.DataPath != "" {
		where = "in " + res.DataPath
	}
	fmt.Printf("wrote %s: %s, opset %d, %d nodes, %.1f MB of weights %s\n", res.Path, p.Task.Architecture(), res.Opset, res.Nodes, float64(res.Weights)/1e6, where)
	fmt.Printf("inputs: %s, %s, %s (int64 [%s, %s]); outputs: %s\n", export.InputIDs, export.AttentionMask, export.TokenTypeIDs,
		export.BatchDim, export.SequenceDim, strings.Join(res.Outputs, ", "))
	return nil
}

// loadForExport reads the folder for its own task, or for another one as
// from_pretrained does (fresh heads initialised from seed, listed on stderr).
func loadForExport(dir, task string, seed int64) (*graph.Params, error) {
	if task == "" {
		p, _, err := graph.Load(dir)
		return p, err
	}
	t, err := gorbert.ParseTask(task)
	if err != nil {
		return nil, err
	}
	m, err := checkpoint.LoadFor(dir, t)
	if err != nil {
		return nil, err
	}
	if len(m.Missing) > 0 {
		fmt.Fprintf(os.Stderr, "warning: %s has no %s head; initialised randomly (seed %d): %s\n",
			dir, t, seed, strings.Join(m.Missing, ", "))
	}
	return graph.FromCheckpoint(m, rand.New(rand.NewSource(seed)))
}
