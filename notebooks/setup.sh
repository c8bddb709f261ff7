#!/usr/bin/env bash
# setup.sh: run by each notebook's first cell (GoNB's `!*` runs it in the
# kernel's temporary module). It makes that module and this repository one
# Go workspace, so the notebooks import github.com/gorbert/gorbert/... from
# this working tree, and pins gonbui to the kernel's version (notebooks/tools/go.mod) (a plain `go get`
# of it would ask the proxy for its version list, which may be refused).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rm -f go.work go.work.sum
go work init . "$repo"
gonb=$(cd "$repo/notebooks/tools" && go list -m -f '{{.Version}}' github.com/janpfeifer/gonb)
if ! out=$(go get "github.com/janpfeifer/gonb@$gonb" 2>&1); then
	echo "$out" >&2
	exit 1
fi
echo "workspace: $(pwd) + $repo"
