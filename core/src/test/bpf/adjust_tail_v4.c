// The tail trimmer built for cpu v4 (movsx for the signed tail delta).
// build: -mcpu=v4
#include "adjust_tail.c"
