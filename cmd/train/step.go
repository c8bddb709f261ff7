package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gorbert/gorbert/checkpoint"
	"github.com/gorbert/gorbert/graph"
	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/optim"
	"github.com/gorbert/gorbert/train"
)

func init() {
	commands.Register(cli.Command{Name: "step", Summary: "run loss, gradients and optimizer steps on one batch, for comparison with another framework", Run: runStep})
}

func runStep(args []string) error {
	fs := cli.FlagSet(commands.Binary, "step", "--model DIR --inputs inputs.json --out out.safetensors [flags]")
	model := fs.String("model", "", "HuggingFace model folder")
	inputs := fs.String("inputs", "", "inputs.json with input_ids, token_type_ids, attention_mask and the task's labels")
	out := fs.String("out", "", "safetensors file to write")
	lr := fs.Float64("lr", 1e-3, "learning rate")
	wd := fs.Float64("weight-decay", 0.01, "decoupled weight decay (not on biases and LayerNorm weights)")
	eps := fs.Float64("eps", 1e-6, "AdamW epsilon")
	betas := fs.String("betas", "0.9,0.999", "AdamW betas")
	clip := fs.Float64("clip", 1, "also write clip_coef and after_clip.* (one step on the gradient clipped to this global norm; 0: skip)")
	steps := fs.Int("steps", 2, "optimizer steps on the batch")
	tf := fs.Bool("tf-adam", false, "Google BERT's AdamWeightDecayOptimizer (no bias correction)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *model == "" || *inputs == "" || *out == "" {
		return fmt.Errorf("need --model, --inputs and --out")
	}
	b1, b2, err := parseBetas(*betas)
	if err != nil {
		return err
	}
	params, _, err := graph.Load(*model)
	if err != nil {
		return err
	}
	batch, err := train.ReadBatch(*inputs, params.Config.PadTokenID)
	if err != nil {
		return err
	}
	res, err := train.RunSteps(params, batch, *steps, *lr, *clip, func(ps []optim.Param) (optim.Optimizer, error) {
		c := optim.DefaultAdamWConfig()
		if *tf {
			c = optim.TFBERTAdamWConfig()
		}
		c.Beta1, c.Beta2, c.Eps, c.WeightDecay = b1, b2, *eps, *wd
		return optim.NewAdamW(ps, c)
	})
	if err != nil {
		return err
	}
	if err := checkpoint.WriteSafetensors(*out, res, map[string]string{"format": "pt"}); err != nil {
		return err
	}
	fmt.Printf("step: loss %g; %d tensors written to %s\n", res["loss"].Data[0], len(res), *out)
	return nil
}

func parseBetas(s string) (float64, float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 2 {
		return 0, 0, fmt.Errorf("--betas %q: want two numbers like 0.9,0.999", s)
	}
	b1, err1 := strconv.ParseFloat(strings.TrimSpace(parts[0]), 64)
	b2, err2 := strconv.ParseFloat(strings.TrimSpace(parts[1]), 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("--betas %q: want two numbers like 0.9,0.999", s)
	}
	return b1, b2, nil
}
