#!/usr/bin/env bash
# Rebuilds the test XDP programs: every *.c here becomes the *.o beside it, as clang builds them for the
# kernel. A line "// build: FLAGS" in a source adds FLAGS (e.g. -mcpu=v4); the default CPU is v3. The
# repository's include/ (jxdp_helpers.h, jxdp's own helpers) is on the include path.
# The .o files are committed, so tests run without clang; CI may rebuild and compare (--check).
#   ./build.sh            rebuild every object
#   ./build.sh --check    rebuild into a temp dir and report objects that differ from the committed ones
#   ./build.sh foo.c ...  rebuild only these
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-19 || command -v clang || true)}
[ -n "$CLANG" ] || { echo "build.sh: clang not found (apt-get install clang-19, or set CLANG)" >&2; exit 2; }
check=false
if [ "${1:-}" = "--check" ]; then check=true; shift; fi
srcs=("$@")
[ ${#srcs[@]} -gt 0 ] || srcs=(*.c)
out=.
$check && out=$(mktemp -d)
status=0
for src in "${srcs[@]}"; do
  obj="$out/${src%.c}.o"
  flags=$(sed -n 's|^// build: *||p' "$src" | head -1)
  # shellcheck disable=SC2086
  "$CLANG" -O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$PWD"=. $flags -I/usr/include/bpf -I/usr/include/$(uname -m)-linux-gnu -I. -I../../../../include -c "$src" -o "$obj"
  if $check && ! cmp -s "$obj" "${src%.c}.o"; then
    echo "build.sh: ${src%.c}.o differs from a fresh build with $("$CLANG" --version | head -1)"
    status=1
  fi
done
$check && rm -rf "$out"
exit $status
