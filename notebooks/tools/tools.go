//go:build tools

// Package tools records the notebook tools as dependencies so that go.mod and
// go.sum pin them; scripts/notebooks.sh builds them with go build.
package tools

import (
	_ "github.com/janpfeifer/gonb"
	_ "golang.org/x/tools/cmd/goimports"
	_ "golang.org/x/tools/gopls"
)
