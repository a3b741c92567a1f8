#!/usr/bin/env bash
# Rebuilds the benchmark-only XDP programs here (*.c -> *.o beside it) with the flags of
# core/src/test/bpf/build.sh; the .o files are committed, so the benchmarks need no clang.
#   jmh/bpf/build.sh            rebuild
#   jmh/bpf/build.sh --check    report objects that differ from a fresh build
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-19 || command -v clang || true)}
[ -n "$CLANG" ] || { echo "build.sh: clang not found (apt-get install clang-19, or set CLANG)" >&2; exit 2; }
check=false
if [ "${1:-}" = "--check" ]; then check=true; fi
out=.
$check && out=$(mktemp -d)
status=0
for src in *.c; do
  obj="$out/${src%.c}.o"
  "$CLANG" -O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$PWD"=. -I/usr/include/bpf \
    -I/usr/include/$(uname -m)-linux-gnu -I../../core/src/test/bpf -c "$src" -o "$obj"
  if $check && ! cmp -s "$obj" "${src%.c}.o"; then
    echo "build.sh: ${src%.c}.o differs from a fresh build with $("$CLANG" --version | head -1)"
    status=1
  fi
done
$check && rm -rf "$out"
exit $status
