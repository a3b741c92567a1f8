package dev.jxdp.io.pktgen;

import dev.jxdp.ebpf.BpfException;

/**
 * A pktgen spec jxdp cannot take. Like every {@link BpfException} the message is one line naming the
 * offending item ({@code size=9000: want 64..1518 or imix}); the CLI puts the input in front
 * ({@code jxdp: pktgen: size=9000: want 64..1518 or imix}, exit status 2).
 */
public final class PktGenSpecException extends BpfException {
    PktGenSpecException(String message) {
        super(message);
    }
}
