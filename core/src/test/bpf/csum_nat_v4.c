// The NAT built for cpu v4 (bswap instead of the v3 byte-swap sequence).
// build: -mcpu=v4
#include "csum_nat.c"
