package dev.jxdp;

/**
 * Something jxdp cannot do with what it was given: a malformed or unsupported object file, a program or
 * map that does not exist, a frame the kernel would refuse, a map update the kernel would refuse, an
 * object used after {@link XdpObject#close()}. The message is one line that names the thing
 * ({@code map stats: key of 3 bytes, want 4}); the cause, when there is one, is kept.
 *
 * <p>Every exception the public API throws on purpose is this one or a subclass
 * ({@link VerifierException}); they are unchecked.
 */
public class JxdpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * An exception with a one-line message.
     *
     * @param message what went wrong, naming the thing
     */
    public JxdpException(String message) {
        super(message);
    }

    /**
     * An exception with a one-line message and the exception that caused it.
     *
     * @param message what went wrong, naming the thing
     * @param cause   the underlying exception
     */
    public JxdpException(String message, Throwable cause) {
        super(message, cause);
    }
}
