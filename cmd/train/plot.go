package main

import (
	"fmt"

	"github.com/gorbert/gorbert/internal/cli"
	"github.com/gorbert/gorbert/plot"
)

func init() {
	commands.Register(cli.Command{Name: "plot", Summary: "draw training curves from a metrics.jsonl as PNG or SVG", Run: runPlot})
}

func runPlot(args []string) error {
	fs := cli.FlagSet(commands.Binary, "plot", "--metrics metrics.jsonl --out curves.png")
	metrics := fs.String("metrics", "", "JSON Lines metrics written by train pretrain or train finetune")
	out := fs.String("out", "curves.png", "image to write; the extension (.png or .svg) names the format")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *metrics == "" || fs.NArg() > 0 {
		return fmt.Errorf("need --metrics FILE (and no other arguments)")
	}
	m, err := plot.ReadMetrics(*metrics)
	if err != nil {
		return err
	}
	f, err := plot.Curves(m)
	if err != nil {
		return err
	}
	return f.Save(*out)
}
