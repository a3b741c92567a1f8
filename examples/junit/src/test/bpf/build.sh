#!/usr/bin/env bash
# Rebuilds firewall.o from firewall.c. The .o is committed, so the tests run without clang.
# Needs clang (19 or newer) and the kernel's UAPI and libbpf headers (Debian/Ubuntu: clang-19 libbpf-dev
# linux-libc-dev); the -I for the multiarch include directory is where <asm/types.h> lives on those systems.
#   ./build.sh --check    rebuild into a temp dir and say whether the committed firewall.o still matches
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-$(command -v clang-19 || command -v clang || true)}
[ -n "$CLANG" ] || { echo "build.sh: clang not found (apt-get install clang-19, or set CLANG)" >&2; exit 2; }
out=.
[ "${1:-}" = "--check" ] && out=$(mktemp -d)
"$CLANG" -O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$PWD"=. -I/usr/include/"$(uname -m)"-linux-gnu -c firewall.c -o "$out/firewall.o"
if [ "$out" != . ]; then
  status=0
  cmp -s "$out/firewall.o" firewall.o || { echo "build.sh: firewall.o differs from a fresh build" >&2; status=1; }
  rm -rf "$out"
  exit $status
fi
