package gx_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// gorgoniaPath is the graph library only this package may import; its
// sub-packages count as the library too. gorgonia.org/tensor is not covered.
const gorgoniaPath = "gorgonia.org/gorgonia"

// brokenOps are the gorgonia functions known to be broken for this project's
// use, with the replacement to call instead; nothing may call the originals.
var brokenOps = map[string]string{
	"SoftMax":     "(*gx.Builder).Softmax or MaskedSoftmax",
	"LogSoftMax":  "(*gx.Builder).CrossEntropy",
	"InverseSqrt": "(*gx.Builder).LayerNorm",
	"Dropout":     "(*gx.Builder).Dropout",
	"NewAdamW":    "optim.NewAdamW",
	"LogSumExp":   "(*gx.Builder).CrossEntropy",
	"WithClip":    "optim.ClipGradNorm",
}

// guardAllowedDir is the only directory (relative to the module root, with
// its sub-directories) whose files may import gorgonia.
const guardAllowedDir = "internal/gx"

// guardCheck reports the violations in one Go source file. rel is its path
// relative to the module root, with forward slashes.
func guardCheck(fset *token.FileSet, rel string, src any) (violations []string, importsGorgonia bool, err error) {
	f, err := parser.ParseFile(fset, rel, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, false, err
	}
	dir := filepath.ToSlash(filepath.Dir(rel))
	allowed := dir == guardAllowedDir || strings.HasPrefix(dir, guardAllowedDir+"/")
	names := map[string]bool{} // local names of the gorgonia package in this file
	for _, imp := range f.Imports {
		p, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			return nil, false, err
		}
		if p != gorgoniaPath && !strings.HasPrefix(p, gorgoniaPath+"/") {
			continue
		}
		importsGorgonia = true
		pos := fset.Position(imp.Pos())
		if !allowed {
			violations = append(violations, pos.String()+": imports "+p+" (only "+guardAllowedDir+" may)")
		}
		if p != gorgoniaPath {
			continue
		}
		switch {
		case imp.Name == nil:
			names["gorgonia"] = true
		case imp.Name.Name == ".":
			violations = append(violations, pos.String()+": dot-imports "+p+", which hides its calls from this check")
		case imp.Name.Name != "_":
			names[imp.Name.Name] = true
		}
	}
	if len(names) == 0 {
		return violations, importsGorgonia, nil
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok || !names[id.Name] {
			return true
		}
		if instead, bad := brokenOps[sel.Sel.Name]; bad {
			violations = append(violations, fset.Position(sel.Pos()).String()+": uses "+id.Name+"."+sel.Sel.Name+" (known broken; use "+instead+")")
		}
		return true
	})
	return violations, importsGorgonia, nil
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	d, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatal("no go.mod above the test")
		}
		d = filepath.Dir(d)
	}
}

// TestGorgoniaGuard: only internal/gx imports gorgonia, and no file calls
// the gorgonia functions known to be broken.
func TestGorgoniaGuard(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	files, importers := 0, 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		v, imports, err := guardCheck(fset, filepath.ToSlash(rel), src)
		if err != nil {
			// A file another engineer is writing may not parse yet; the compiler reports it.
			t.Logf("skipping %s: %v", rel, err)
			return nil
		}
		files++
		if imports {
			importers++
		}
		for _, s := range v {
			t.Error(s)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %d Go files; %d import gorgonia", files, importers)
	if files < 20 || importers == 0 {
		t.Fatalf("checked %d files, %d importing gorgonia: the walk did not see the repository", files, importers)
	}
}

// TestGorgoniaGuardDetects: the checker flags what it must and nothing else.
func TestGorgoniaGuardDetects(t *testing.T) {
	for _, c := range []struct {
		rel, src string
		want     []string // fragments, one violation each
	}{
		{"graph/x.go", `package graph
import G "gorgonia.org/gorgonia"
var _ = G.Must`, []string{"imports gorgonia.org/gorgonia (only internal/gx may)"}},
		{"cmd/infer/x.go", `package main
import "gorgonia.org/gorgonia"
func f(x *gorgonia.Node) { gorgonia.SoftMax(x); gorgonia.Must(gorgonia.LogSumExp(x, 1)) }`,
			[]string{"imports gorgonia.org/gorgonia", "gorgonia.SoftMax", "gorgonia.LogSumExp"}},
		{"layers/x.go", `package layers
import nnops "gorgonia.org/gorgonia/ops/nn"
var _ = nnops.Conv2d`, []string{"imports gorgonia.org/gorgonia/ops/nn"}},
		{"internal/gx/x.go", `package gx
import G "gorgonia.org/gorgonia"
func f(x *G.Node) {
	G.LogSoftMax(x); G.InverseSqrt(x); G.Dropout(x, 0.1)
	_ = G.NewAdamW(G.WithClip(1))
	g := G.SoftMax // a function value counts too
	_ = g
}`, []string{"G.LogSoftMax", "G.InverseSqrt", "G.Dropout", "G.NewAdamW", "G.WithClip", "G.SoftMax"}},
		{"internal/gx/y.go", `package gx
import . "gorgonia.org/gorgonia"
var _ = Must`, []string{"dot-imports"}},
		// Allowed: gx itself, gx sub-packages, tensor anywhere, same-named functions elsewhere.
		{"internal/gx/ok.go", `package gx
import G "gorgonia.org/gorgonia"
func f(x *G.Node) { G.Must(G.Mul(x, x)) }`, nil},
		{"internal/gx/sub/ok.go", `package sub
import "gorgonia.org/gorgonia"
var _ = gorgonia.Must`, nil},
		{"graph/ok.go", `package graph
import (
	"gorgonia.org/tensor"
	"github.com/gorbert/gorbert/internal/gx"
)
func f(x *gx.Node) { gx.SoftMax(x); gx.Dropout(x); _ = tensor.New() }`, nil},
	} {
		v, _, err := guardCheck(token.NewFileSet(), c.rel, c.src)
		if err != nil {
			t.Fatalf("%s: %v", c.rel, err)
		}
		if len(v) != len(c.want) {
			t.Errorf("%s: %d violations %q, want %d", c.rel, len(v), v, len(c.want))
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(v[i], w) || !strings.HasPrefix(v[i], c.rel+":") {
				t.Errorf("%s: violation %q, want one at the file mentioning %q", c.rel, v[i], w)
			}
		}
	}
}
