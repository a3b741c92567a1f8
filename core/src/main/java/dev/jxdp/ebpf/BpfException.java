package dev.jxdp.ebpf;

/**
 * Input jxdp cannot take: a malformed or unsupported object file, a bad map-init entry, a frame the
 * kernel would refuse. The message is one line saying what is wrong, without the file name: the caller
 * that knows the file puts it in front ({@code jxdp: FILE: message}).
 */
public class BpfException extends RuntimeException {
    public BpfException(String message) {
        super(message);
    }

    public BpfException(String message, Throwable cause) {
        super(message, cause);
    }
}
