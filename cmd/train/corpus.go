package main

import (
	"fmt"

	"github.com/gorbert/gorbert/data/corpus"
	"github.com/gorbert/gorbert/internal/cli"
)

func init() {
	commands.Register(cli.Command{Name: "corpus", Summary: "build a text corpus from the Go distribution's documentation", Run: runCorpus})
}

func runCorpus(args []string) error {
	fs := cli.FlagSet(commands.Binary, "corpus", "--out DIR [--max-mb N] [--heldout-every N] [--all-decls]")
	out := fs.String("out", "", "folder for train.txt and heldout.txt")
	maxMB := fs.Float64("max-mb", 0, "cap train.txt at this many MB (0: no cap)")
	every := fs.Int("heldout-every", 20, "send every n-th package to heldout.txt")
	all := fs.Bool("all-decls", false, "include unexported declarations' comments (about twice the text)")
	root := fs.String("root", "", "source tree (default: $(go env GOROOT)/src)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("need --out DIR")
	}
	if *root == "" {
		r, err := corpus.GoRootSrc()
		if err != nil {
			return err
		}
		*root = r
	}
	st, err := corpus.BuildGoDoc(corpus.GoDocOptions{Root: *root, OutDir: *out, HeldOutEvery: *every, MaxBytes: int64(*maxMB * 1e6), AllDecls: *all})
	if err != nil {
		return err
	}
	fmt.Printf("corpus: %d packages read; train %d documents, %d sentences, %.2f MB; held out %d documents, %d sentences, %.2f MB -> %s\n",
		st.PackagesSeen, st.TrainDocuments, st.TrainSentences, float64(st.TrainBytes)/1e6, st.HeldOutDocuments, st.HeldOutSentences, float64(st.HeldOutBytes)/1e6, *out)
	return nil
}
