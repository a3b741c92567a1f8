#!/usr/bin/env bash
# Rebuilds the kit tests' programs: every *.c here becomes the *.o beside it. The .o files are committed, so the
# tests run without clang.
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-19 || command -v clang || true)}
[ -n "$CLANG" ] || { echo "build.sh: clang not found (apt-get install clang-19, or set CLANG)" >&2; exit 2; }
check=false
if [ "${1:-}" = "--check" ]; then check=true; fi  # rebuild into a temp dir, report objects that differ
out=.
$check && out=$(mktemp -d)
status=0
for src in *.c; do
  "$CLANG" -O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$PWD"=. -I/usr/include/"$(uname -m)"-linux-gnu -c "$src" -o "$out/${src%.c}.o"
  if $check && ! cmp -s "$out/${src%.c}.o" "${src%.c}.o"; then
    echo "build.sh: ${src%.c}.o differs from a fresh build with $("$CLANG" --version | head -1)"
    status=1
  fi
done
$check && rm -rf "$out"
exit $status
