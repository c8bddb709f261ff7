package synth

import (
	"fmt"
	"go/doc"
	"go/doc/comment"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gorbert/gorbert/data/corpus"
)

// Entity kinds, the types of the NER tags (B-FUNC, ...).
const (
	KindFunc  = "FUNC"  // exported function or method
	KindType  = "TYPE"  // exported type
	KindValue = "VALUE" // exported constant or variable
	KindPkg   = "PKG"   // package name qualifying an identifier
)

// Package is the documentation of one Go package.
type Package struct {
	Path string // import path: "net/http"
	Name string // package name: "http"
	// Area is the first element of the import path ("net", "go",
	// "crypto"), or the path itself for a top-level package ("bytes").
	Area string
	// Sentences are the package comment's and the exported declarations'
	// comments split into sentences, in go/doc's order (package, constants,
	// variables, types with their functions and methods, functions);
	// headings and code blocks are left out.
	Sentences []string
	// Funcs are the exported functions and methods that have a comment.
	Funcs []Func
	// Idents maps each exported identifier to its kind (KindFunc, KindType
	// or KindValue); a name of two kinds (a method named as a type) takes
	// the first of type, function, value.
	Idents map[string]string
}

// Func is one documented function or method.
type Func struct {
	Name string // "Abs", or the method's name
	Recv string // the receiver's type for a method ("*Reader"), "" for a function
	// Doc is the comment's first paragraph as one line of text (doc links
	// reduced to their text).
	Doc string
}

// LoadPackages reads the documented packages under root (normally
// $(go env GOROOT)/src, see corpus.GoRootSrc) in lexical path order. The
// files are those a linux/amd64 cgo build compiles, whatever the host, so
// that every machine reads the same text; _test.go files, directories named
// testdata, vendor or internal, the cmd tree, and directories starting with
// "." or "_" are skipped, as are packages without any documentation.
func LoadPackages(root string) ([]Package, error) {
	if fi, err := os.Stat(root); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("synth: %s is not a folder", root)
	}
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if path != root {
			name := d.Name()
			rel, _ := filepath.Rel(root, path)
			if name == "testdata" || name == "vendor" || name == "internal" || strings.HasPrefix(name, ".") ||
				strings.HasPrefix(name, "_") || filepath.ToSlash(rel) == "cmd" {
				return filepath.SkipDir
			}
		}
		dirs = append(dirs, path)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("synth: walking %s: %w", root, err)
	}
	sort.Strings(dirs)
	var out []Package
	for _, dir := range dirs {
		p, ok, err := loadPackage(root, dir)
		if err != nil {
			return nil, err
		}
		if ok && len(p.Sentences) > 0 {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("synth: no documented Go packages under %s", root)
	}
	return out, nil
}

func loadPackage(root, dir string) (Package, bool, error) {
	dp, ok, err := corpus.ReadPackageDoc(root, dir, 0)
	if !ok || err != nil || dp.Name == "main" || strings.HasSuffix(dp.Name, "_test") {
		return Package{}, false, err
	}
	path := dp.ImportPath
	p := Package{Path: path, Name: dp.Name, Area: strings.Split(path, "/")[0], Idents: map[string]string{}}
	parser := dp.Parser()
	seen := map[string]bool{} // a comment shared by build variants counts once
	add := func(text string) {
		if text != "" && !seen[text] {
			seen[text] = true
			p.Sentences = append(p.Sentences, corpus.CommentSentences(parser.Parse(text))...)
		}
	}
	ident := func(name, kind string) {
		if _, ok := p.Idents[name]; !ok && token.IsExported(name) {
			p.Idents[name] = kind
		}
	}
	addFunc := func(f *doc.Func) {
		add(f.Doc)
		if f.Doc != "" {
			p.Funcs = append(p.Funcs, Func{Name: f.Name, Recv: f.Recv, Doc: firstParagraph(parser.Parse(f.Doc))})
		}
	}
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			add(v.Doc)
			for _, n := range v.Names {
				ident(n, KindValue)
			}
		}
	}
	add(dp.Doc)
	// Kinds in priority order: types, then functions, then values.
	for _, t := range dp.Types {
		ident(t.Name, KindType)
	}
	for _, f := range dp.Funcs {
		ident(f.Name, KindFunc)
	}
	for _, t := range dp.Types {
		for _, f := range t.Funcs {
			ident(f.Name, KindFunc)
		}
		for _, f := range t.Methods {
			ident(f.Name, KindFunc)
		}
	}
	values(dp.Consts)
	values(dp.Vars)
	for _, t := range dp.Types {
		add(t.Doc)
		values(t.Consts)
		values(t.Vars)
		for _, f := range t.Funcs {
			addFunc(f)
		}
		for _, f := range t.Methods {
			addFunc(f)
		}
	}
	for _, f := range dp.Funcs {
		addFunc(f)
	}
	return p, true, nil
}

// firstParagraph is the comment's first paragraph as one line, "" if it
// does not start with one.
func firstParagraph(d *comment.Doc) string {
	if len(d.Content) == 0 {
		return ""
	}
	p, ok := d.Content[0].(*comment.Paragraph)
	if !ok {
		return ""
	}
	return strings.Join(strings.Fields(corpus.CommentText(p.Text)), " ")
}
