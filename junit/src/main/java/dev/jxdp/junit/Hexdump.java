package dev.jxdp.junit;

/** Hex dumps of frames for failure messages: one frame, or two side by side with the differing rows marked. */
public final class Hexdump {
    private static final int ROW = 16;
    private static final int MAX_ROWS = 96;

    private Hexdump() {}

    /**
     * {@code bytes} as rows of 16: offset, hex.
     *
     * @param bytes the frame's bytes, from the destination MAC on
     * @return the dump, one line per row
     */
    public static String of(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        int rows = (bytes.length + ROW - 1) / ROW;
        for (int r = 0; r < rows && r < MAX_ROWS; r++) {
            sb.append(String.format("%04x  ", r * ROW)).append(row(bytes, r * ROW)).append('\n');
        }
        if (rows > MAX_ROWS) {
            sb.append("... ").append(bytes.length - MAX_ROWS * ROW).append(" more bytes\n");
        }
        return sb.toString();
    }

    /**
     * {@code expected} and {@code actual} side by side, 16 bytes a row; a row where they differ is marked with
     * {@code <}, and the first differing offset is named in the header line.
     *
     * @param expected the frame wanted
     * @param actual   the frame found
     * @return the two dumps side by side
     */
    public static String diff(byte[] expected, byte[] actual) {
        int first = firstDifference(expected, actual);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("expected %d bytes, actual %d bytes", expected.length, actual.length));
        if (first >= 0) {
            sb.append(String.format(", first difference at offset %d (0x%x)", first, first));
        }
        sb.append('\n');
        String pad = " ".repeat(ROW * 3 - 1);
        sb.append("      ").append(String.format("%-" + (ROW * 3 - 1) + "s", "expected")).append("   actual\n");
        int rows = (Math.max(expected.length, actual.length) + ROW - 1) / ROW;
        for (int r = 0; r < rows && r < MAX_ROWS; r++) {
            int at = r * ROW;
            String e = at < expected.length ? row(expected, at) : pad;
            String a = at < actual.length ? row(actual, at) : pad;
            boolean same = e.equals(a);
            sb.append(String.format("%04x  ", at)).append(e).append(same ? " | " : " < ").append(a).append('\n');
        }
        return sb.toString();
    }

    /** The first offset where the two differ (including one ending first), or -1 if equal. */
    static int firstDifference(byte[] a, byte[] b) {
        int i = java.util.Arrays.mismatch(a, b);
        return i;
    }

    private static String row(byte[] b, int at) {
        StringBuilder sb = new StringBuilder(ROW * 3);
        for (int i = at; i < at + ROW; i++) {
            if (i > at) {
                sb.append(' ');
            }
            sb.append(i < b.length ? String.format("%02x", b[i] & 0xFF) : "  ");
        }
        return sb.toString();
    }
}
