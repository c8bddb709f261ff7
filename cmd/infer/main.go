// Command infer runs BERT models: forward passes, tokenization, task pipelines
// and graph export. Each subcommand lives in its own file and registers itself.
package main

import "github.com/gorbert/gorbert/internal/cli"

var commands = cli.NewSet("infer")

func main() { commands.Main() }
