#!/usr/bin/env bash
# Rebuilds jxdp bench's built-in XDP programs: every *.c here becomes a *.o in
# core/src/main/resources/dev/jxdp/bench/, where the jar carries it and the bench loads it from the
# class path. Same compiler and flags as core/src/test/bpf/build.sh (include/ of the repository on the
# include path, for jxdp_helpers.h); the .o files are committed, so
# building jxdp needs no clang.
#   ./build.sh            rebuild every object
#   ./build.sh --check    rebuild into a temp dir and report objects that differ from the committed ones
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-19 || command -v clang || true)}
[ -n "$CLANG" ] || { echo "build.sh: clang not found (apt-get install clang-19, or set CLANG)" >&2; exit 2; }
check=false
if [ "${1:-}" = "--check" ]; then check=true; fi
res=../resources/dev/jxdp/bench
out=$res
$check && out=$(mktemp -d)
status=0
for src in *.c; do
  obj="$out/${src%.c}.o"
  "$CLANG" -O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$PWD"=. -I/usr/include/bpf \
    -I/usr/include/$(uname -m)-linux-gnu -I. -I../../../../include -c "$src" -o "$obj"
  if $check && ! cmp -s "$obj" "$res/${src%.c}.o"; then
    echo "build.sh: $res/${src%.c}.o differs from a fresh build with $("$CLANG" --version | head -1)"
    status=1
  fi
done
$check && rm -rf "$out"
exit $status
