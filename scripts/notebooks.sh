#!/usr/bin/env bash
# make notebooks: execute every notebook in notebooks/ headless with the GoNB
# Go kernel, writing the outputs (text and pictures) back into the .ipynb
# files. It installs what is missing first:
#   * Jupyter's headless runner from Debian packages (apt-get, as root);
#   * GoNB, goimports and gopls, built at the versions notebooks/tools/go.mod
#     pins, into $NOTEBOOK_BIN (default: $(go env GOPATH)/bin);
#   * the GoNB kernel spec (gonb --install).
# It exits non-zero when an install step or any notebook cell fails.
# Tunables (environment): NOTEBOOK_BIN, NOTEBOOK_TIMEOUT (seconds per cell),
# NOTEBOOKS (space-separated list; default: all of notebooks/*.ipynb).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${NOTEBOOK_BIN:-$(go env GOPATH)/bin}
TIMEOUT=${NOTEBOOK_TIMEOUT:-300}
export PATH="$BIN:$PATH"

if ! command -v jupyter-nbconvert >/dev/null || ! /usr/bin/python3 -c 'import ipykernel, nbclient' 2>/dev/null; then
	echo "== installing Jupyter (Debian packages)"
	SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
		jupyter-nbconvert python3-nbconvert jupyter-client jupyter-core python3-ipykernel >/dev/null
fi

want=$(cd notebooks/tools && go list -m -f '{{.Version}}' github.com/janpfeifer/gonb)
have=$(go version -m "$BIN/gonb" 2>/dev/null | awk '$1 == "mod" { print $3 }' || true)
if [ "$have" != "$want" ] || ! command -v goimports >/dev/null || ! command -v gopls >/dev/null; then
	echo "== building gonb $want, goimports, gopls into $BIN"
	mkdir -p "$BIN"
	(cd notebooks/tools && go build -o "$BIN/" github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports golang.org/x/tools/gopls)
fi
kernel=$(jupyter kernelspec list 2>/dev/null | awk '$1 == "gonb" { print $2 }')
if [ -z "$kernel" ] || ! grep -q "\"$BIN/gonb\"" "$kernel/kernel.json"; then
	echo "== registering the GoNB kernel"
	gonb --install >/dev/null 2>&1
fi

echo "== building the packages the notebooks import"
go build ./...

status=0
for nb in ${NOTEBOOKS:-notebooks/*.ipynb}; do
	start=$(date +%s)
	if jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.kernel_name=gonb --ExecutePreprocessor.timeout="$TIMEOUT" "$nb" \
		>"$nb.log" 2>&1; then
		echo "ok   $nb ($(($(date +%s) - start)) s)"
		rm -f "$nb.log"
	else
		echo "FAIL $nb ($(($(date +%s) - start)) s); the failing cell and its error:"
		grep -v -e '^I[0-9]' -e 'Debugg' -e 'frozen modules' -e 'PYDEVD' "$nb.log" | tail -40
		rm -f "$nb.log"
		status=1
	fi
done
exit $status
