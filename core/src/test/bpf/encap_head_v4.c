// The push/pop tunnels built for cpu v4 (movsx for the signed head deltas, bswap).
// build: -mcpu=v4
#include "encap_head.c"
