// The metadata writer built for cpu v4 (movsx for the signed meta delta).
// build: -mcpu=v4
#include "adjust_meta.c"
