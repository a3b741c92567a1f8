package dev.jxdp.cli;

/** A one-line error for the user, already prefixed with the file it concerns; exit code 2 unless said. */
final class CliException extends RuntimeException {
    private final int exitCode;

    CliException(String message) {
        this(message, 2);
    }

    CliException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() { return exitCode; }
}
