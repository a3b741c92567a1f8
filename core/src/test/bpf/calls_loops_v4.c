// The calls-and-loops program built for cpu v4.
// build: -mcpu=v4
#include "calls_loops.c"
