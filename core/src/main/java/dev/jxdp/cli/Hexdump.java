package dev.jxdp.cli;

/** A classic 16-bytes-a-line hex dump, for humans. */
final class Hexdump {
    private Hexdump() {}

    static String of(byte[] data, String indent) {
        StringBuilder sb = new StringBuilder();
        for (int off = 0; off < data.length; off += 16) {
            sb.append(indent).append(String.format("%04x ", off));
            StringBuilder ascii = new StringBuilder();
            for (int i = 0; i < 16; i++) {
                if (off + i < data.length) {
                    int b = data[off + i] & 0xff;
                    sb.append(String.format(" %02x", b));
                    ascii.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
                } else {
                    sb.append("   ");
                }
            }
            sb.append("  ").append(ascii).append('\n');
        }
        return sb.toString();
    }
}
