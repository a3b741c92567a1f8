// The run config of a multi-program XDP chain, as libxdp reads it: a struct variable named "_" + the
// program's name in section .xdp_run_config whose members are __uint(name, value) pairs ("priority", or
// an action name such as XDP_PASS with 1 to continue the chain on it, 0 to stop). Written for jxdp's
// tests; the layout is what libxdp's xdp_program__parse_btf() looks for.
#ifndef RUN_CONFIG_H
#define RUN_CONFIG_H

#define RUN_CONFIG_NAME(prog) _##prog
#define XDP_RUN_CONFIG(prog) RUN_CONFIG_NAME(prog) SEC(".xdp_run_config")

#endif
