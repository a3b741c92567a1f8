package dev.jxdp.ebpf;

/**
 * Input jxdp cannot take: a malformed or unsupported object file, a bad map-init entry, a frame the
 * kernel would refuse. The message is one line saying what is wrong, without the file name: the caller
 * that knows the file puts it in front ({@code jxdp: FILE: message}).
 */
public class BpfException extends RuntimeException {
    public BpfException(String message) {
        super(oneLine(message));
    }

    public BpfException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /**
     * The message with control characters escaped ({@code \n}, {@code \x1b}): messages quote names taken
     * from the input (a section, symbol, BTF member or map name), and a name may hold a newline or a
     * terminal escape; the CLI's error must stay one line and print nothing the terminal would act on.
     */
    static String oneLine(String message) {
        if (message == null || message.chars().noneMatch(BpfException::needsEscape)) {
            return message;
        }
        StringBuilder sb = new StringBuilder(message.length() + 8);
        message.chars().forEach(c -> {
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (needsEscape(c)) {
                        sb.append(c <= 0xff ? String.format("\\x%02x", c) : String.format("\\u%04x", c));
                    } else {
                        sb.append((char) c);
                    }
                }
            }
        });
        return sb.toString();
    }

    private static boolean needsEscape(int c) {
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }
}
