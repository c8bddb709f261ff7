package tokenizer

import (
	"bufio"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// englishLines returns at least minBytes of English text as lines: SQuAD
// contexts from ../shared/datasets when present, else the doc comments of
// Go's own source tree.
func englishLines(tb testing.TB, minBytes int) []string {
	tb.Helper()
	var lines []string
	size := 0
	add := func(s string) bool {
		s = strings.TrimSpace(s)
		if s != "" {
			lines = append(lines, s)
			size += len(s)
		}
		return size >= minBytes
	}
	for _, name := range []string{"train-subset.json", "dev-v1.1.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "shared", "datasets", "squad_v1.1", name))
		if err != nil {
			continue
		}
		var squad struct {
			Data []struct {
				Paragraphs []struct {
					Context string `json:"context"`
				} `json:"paragraphs"`
			} `json:"data"`
		}
		if json.Unmarshal(data, &squad) != nil {
			continue
		}
		for _, art := range squad.Data {
			for _, p := range art.Paragraphs {
				if add(p.Context) {
					return lines
				}
			}
		}
	}
	root := filepath.Join(runtime.GOROOT(), "src")
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || size >= minBytes {
			return filepath.SkipAll
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return nil
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "// ") && add(l[3:]) {
				return filepath.SkipAll
			}
		}
		return nil
	})
	if size < minBytes {
		tb.Skipf("found only %d bytes of English text (want %d)", size, minBytes)
	}
	return lines
}
