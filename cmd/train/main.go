// Command train prepares data, trains vocabularies and pretrains or fine-tunes
// BERT models. Each subcommand lives in its own file and registers itself.
package main

import "github.com/gorbert/gorbert/internal/cli"

var commands = cli.NewSet("train")

func main() { commands.Main() }
