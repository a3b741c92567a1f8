package dev.jxdp.bench;

/** A benchmark that cannot run as asked (a case not available in this build, a plot file not writable): one line. */
public final class BenchException extends RuntimeException {
    public BenchException(String message) {
        super(message);
    }
}
