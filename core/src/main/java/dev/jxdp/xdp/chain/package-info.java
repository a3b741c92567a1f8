/**
 * Several XDP programs on one interface: the model the chain executors run from. Two ways to say which
 * program runs after which, resolved to one form ({@link dev.jxdp.xdp.chain.ChainPlan}):
 * <ul>
 * <li>libxdp's multi-program list ({@link dev.jxdp.xdp.chain.XdpMultiProg}): programs ordered by run_prio,
 *     each continuing to the next on the actions of its chain_call_actions, read from the object's
 *     {@code .xdp_run_config} BTF ({@link dev.jxdp.xdp.chain.RunConfigBtf}) or set on the command line
 *     ({@link dev.jxdp.xdp.chain.ChainArgs});</li>
 * <li>the chain-call map of the xdp-multiprog RFC ({@link dev.jxdp.xdp.chain.ChainCallMap}): for each
 *     program and return code, the program that runs next.</li>
 * </ul>
 */
package dev.jxdp.xdp.chain;
