#!/usr/bin/env bash
# Installs onnxruntime-node (the CPU build of ONNX Runtime, which ships inside
# the npm package) into a cache folder outside the repository, once, and
# prints that folder on the last line of stdout. Tests run models in it with
# NODE_PATH=<folder>/node_modules (see export/testdata/run_ort.js).
#
#   scripts/install-onnxruntime.sh [DIR]
#
# DIR defaults to $GORBERT_ORT_DIR, else <go env GOCACHE>/../gorbert-ort.
# --ignore-scripts skips the package's postinstall, which downloads CUDA
# binaries from a host CI machines cannot reach (see shared/notes/onnx.md).
set -euo pipefail

version="${GORBERT_ORT_VERSION:-1.23.2}"
dir="${1:-${GORBERT_ORT_DIR:-}}"
if [ -z "$dir" ]; then
	cache="$(go env GOCACHE 2>/dev/null || true)"
	if [ -z "$cache" ] || [ "$cache" = "off" ]; then
		cache="${TMPDIR:-/tmp}/go-build"
	fi
	dir="$(dirname "$cache")/gorbert-ort"
fi

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "install-onnxruntime: $tool is not on PATH" >&2
		exit 1
	fi
done

pkg="$dir/node_modules/onnxruntime-node/package.json"
if [ -f "$pkg" ] && grep -q "\"version\": \"$version\"" "$pkg"; then
	echo "install-onnxruntime: onnxruntime-node@$version already in $dir" >&2
	echo "$dir"
	exit 0
fi

mkdir -p "$dir"
# A package.json of its own keeps npm from walking up into another project.
[ -f "$dir/package.json" ] || echo '{"name":"gorbert-ort","private":true}' >"$dir/package.json"
(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error --fetch-retries=1 --fetch-timeout=60000 "onnxruntime-node@$version" >&2)
node -e "require(process.argv[1])" "$dir/node_modules/onnxruntime-node" >&2
echo "install-onnxruntime: installed onnxruntime-node@$version in $dir" >&2
echo "$dir"
