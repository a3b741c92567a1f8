#!/usr/bin/env bash
# Rebuilds the kit tests' programs: every *.c here becomes the *.o beside it. The .o files are committed, so the
# tests run without clang.
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-19 || command -v clang || true)}
[ -n "$CLANG" ] || { echo "build.sh: clang not found (apt-get install clang-19, or set CLANG)" >&2; exit 2; }
for src in *.c; do
  "$CLANG" -O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$PWD"=. -I/usr/include/"$(uname -m)"-linux-gnu -c "$src" -o "${src%.c}.o"
done
