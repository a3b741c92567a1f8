/** Internal: not part of the public API; may change. */
package dev.jxdp.ebpf;
