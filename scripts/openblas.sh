#!/usr/bin/env bash
# Prints "openblas" (the build tag) when OpenBLAS can be linked, installing
# Debian's libopenblas-dev first when it is missing and we may; prints
# nothing otherwise, and the caller builds the pure-Go version.
set -u
have() { [ -e /usr/lib/x86_64-linux-gnu/libopenblas.so ] || [ -e /usr/lib/aarch64-linux-gnu/libopenblas.so ] || ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so '; }
if ! have && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev; } >&2 || true
fi
if have && command -v gcc >/dev/null 2>&1; then
	echo openblas
fi
