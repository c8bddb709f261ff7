package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/cli"
)

func init() {
	commands.Register(cli.Command{
		Name:    "forward",
		Summary: "run a model on inputs.json and write its raw outputs as safetensors",
		Run:     runForward,
	})
}

// runForward: infer forward --model DIR --inputs inputs.json --out out.safetensors [--outputs a,b].
func runForward(args []string) error {
	fs := cli.FlagSet("infer", "forward", "--model DIR --inputs inputs.json --out out.safetensors [--outputs name,name]")
	model := fs.String("model", "", "HuggingFace model folder (config.json + model.safetensors)")
	inputs := fs.String("inputs", "", "inputs.json: input_ids, optional token_type_ids and attention_mask, [B][S] ints")
	out := fs.String("out", "", "safetensors file to write the outputs to")
	outputs := fs.String("outputs", "", "comma-separated outputs to write (hidden_states.i, attentions.i, last_hidden_state, pooler_output, prediction_logits, seq_relationship_logits, logits, start_logits, end_logits); default all the model has")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"--model", *model}, {"--inputs", *inputs}, {"--out", *out}} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s required", strings.Join(missing, ", "))
	}
	var names []string
	for _, n := range strings.Split(*outputs, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}

	m, err := graph.LoadModel(*model)
	if err != nil {
		return err
	}
	defer m.Close()
	batch, err := graph.ReadInputs(*inputs, m.Params.Config.PadTokenID)
	if err != nil {
		return err
	}
	res, err := m.Forward(batch, names...)
	if err != nil {
		return fmt.Errorf("%s: %w", *inputs, err)
	}
	if len(res) == 0 {
		return errors.New("no outputs")
	}
	if err := checkpoint.WriteSafetensors(*out, res, nil); err != nil {
		return err
	}
	written := make([]string, 0, len(res))
	for n := range res {
		written = append(written, n)
	}
	sort.Strings(written)
	fmt.Fprintf(os.Stdout, "%s: %d x %d tokens, wrote %d outputs to %s: %s\n",
		*inputs, batch.Size, batch.SeqLen, len(res), *out, strings.Join(written, " "))
	return nil
}
