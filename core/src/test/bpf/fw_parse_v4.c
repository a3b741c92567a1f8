// The firewall built for cpu v4 (the kernel and jxdp must agree on the same C under both encodings).
// build: -mcpu=v4
#include "fw_parse.c"
