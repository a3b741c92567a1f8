#!/usr/bin/env bash
# Rebuilds the kit's probe program into the resources beside its class. The .o is committed.
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-19 || command -v clang || true)}
[ -n "$CLANG" ] || { echo "build.sh: clang not found (apt-get install clang-19, or set CLANG)" >&2; exit 2; }
"$CLANG" -O2 -target bpf -mcpu=v3 -I/usr/include/"$(uname -m)"-linux-gnu -c probe.c -o ../resources/dev/jxdp/junit/probe.o
