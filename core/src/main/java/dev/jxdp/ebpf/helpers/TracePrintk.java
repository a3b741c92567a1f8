package dev.jxdp.ebpf.helpers;

import dev.jxdp.ebpf.maps.Errno;
import dev.jxdp.ebpf.mem.Mem;
import dev.jxdp.ebpf.runtime.ExecState;

/**
 * bpf_trace_printk: the kernel's format checks (bpf_bprintf_prepare()) and its printf subset (bstr_printf()):
 * {@code %d %i %u %x %X} with {@code l}/{@code ll}, flags {@code 0 + - space} and a width, {@code %c},
 * {@code %s}, {@code %p} and its {@code K x s S B I4 i4 I6 i6 ks us} forms, {@code %%}; at most 3 arguments.
 * The line goes to {@link ExecState#trace}; the return value is the kernel's: bytes formatted, or -EINVAL.
 */
final class TracePrintk {
    private TracePrintk() {}

    /** MAX_TRACE_PRINTK_VARARGS. */
    static final int MAX_ARGS = 3;
    /** MAX_BPRINTF_BUF: the formatted line's buffer, and the most a %s may copy. */
    static final int MAX_BUF = 512;

    static long tracePrintk(ExecState st, long fmt, long fmtSize, long a1, long a2, long a3) {
        long size = fmtSize & 0xffffffffL;
        st.checkArg(fmt, size, false, "bpf_trace_printk", "fmt");
        // the format ends at its first NUL within fmt_size; none is -EINVAL
        int len = -1;
        for (int i = 0; i < size; i++) {
            if (Mem.getU8(fmt + i) == 0) {
                len = i;
                break;
            }
        }
        if (len < 0) {
            return -Errno.EINVAL;
        }
        byte[] f = Mem.read(fmt, len);
        StringBuilder out = new StringBuilder();
        int argIndex = 0;
        for (int i = 0; i < f.length; i++) {
            int c = f[i] & 0xff;
            if (c >= 0x80 || (c < 0x20 || c == 0x7f) && !isSpace(c)) {
                return -Errno.EINVAL;
            }
            if (c != '%') {
                out.append((char) c);
                continue;
            }
            if (at(f, i + 1) == '%') {
                out.append('%');
                i++;
                continue;
            }
            if (argIndex >= MAX_ARGS) {
                return -Errno.EINVAL;
            }
            long arg = argIndex == 0 ? a1 : argIndex == 1 ? a2 : a3;
            i++;
            boolean zero = false;
            boolean left = false;
            boolean plus = false;
            boolean space = false;
            for (int ch = at(f, i); ch == '0' || ch == '+' || ch == '-' || ch == ' '; ch = at(f, ++i)) {
                zero |= ch == '0';
                plus |= ch == '+';
                left |= ch == '-';
                space |= ch == ' ';
            }
            int width = 0;
            if (at(f, i) >= '1' && at(f, i) <= '9') {
                while (at(f, i) >= '0' && at(f, i) <= '9') {
                    width = Math.min(width * 10 + at(f, i) - '0', MAX_BUF);
                    i++;
                }
            }
            int conv = at(f, i);
            String text;
            if (conv == 'p') {
                int n1 = at(f, i + 1);
                int n2 = at(f, i + 2);
                if ((n1 == 'i' || n1 == 'I') && (n2 == '4' || n2 == '6')) {
                    text = ipAddress(st, arg, n1 == 'I', n2 == '4');
                    i += 2;
                } else if ((n1 == 'k' || n1 == 'u') && n2 == 's') {
                    text = string(st, arg);
                    i += 2;
                } else if (n1 == 'K' || n1 == 'x' || n1 == 's' || n1 == 'S' || n1 == 'B') {
                    text = hex16(arg);
                    i++;
                } else if (n1 == 0 || isSpace(n1) || isPunct(n1)) {
                    // plain %p: the kernel prints a hashed pointer; jxdp has no hash key, so the raw value
                    text = hex16(arg);
                } else {
                    return -Errno.EINVAL;
                }
                zero = false;
            } else if (conv == 's') {
                text = string(st, arg);
                zero = false;
            } else if (conv == 'c') {
                text = String.valueOf((char) (arg & 0xff));
                zero = false;
            } else {
                boolean wide = false;
                if (conv == 'l') {
                    wide = true;
                    conv = at(f, ++i);
                    if (conv == 'l') {
                        conv = at(f, ++i);
                    }
                }
                long v = wide ? arg : (conv == 'd' || conv == 'i') ? (int) arg : arg & 0xffffffffL;
                switch (conv) {
                    case 'd', 'i' -> text = (v >= 0 ? (plus ? "+" : space ? " " : "") : "") + v;
                    case 'u' -> text = Long.toUnsignedString(v);
                    case 'x' -> text = Long.toHexString(v);
                    case 'X' -> text = Long.toHexString(v).toUpperCase(java.util.Locale.ROOT);
                    default -> {
                        return -Errno.EINVAL;
                    }
                }
            }
            argIndex++;
            pad(out, text, width, left, zero);
        }
        String line = out.length() >= MAX_BUF ? out.substring(0, MAX_BUF - 1) : out.toString();
        st.trace(line.endsWith("\n") ? line.substring(0, line.length() - 1) : line);
        return out.length();
    }

    private static int at(byte[] f, int i) {
        return i < f.length ? f[i] & 0xff : 0;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c >= '\t' && c <= '\r';
    }

    private static boolean isPunct(int c) {
        return c > 0x20 && c < 0x7f && !Character.isLetterOrDigit(c);
    }

    private static void pad(StringBuilder out, String text, int width, boolean left, boolean zero) {
        int fill = width - text.length();
        if (fill <= 0) {
            out.append(text);
        } else if (left) {
            out.append(text).repeat(" ", fill);
        } else if (zero) {
            int sign = !text.isEmpty() && (text.charAt(0) == '-' || text.charAt(0) == '+' || text.charAt(0) == ' ') ? 1 : 0;
            out.append(text, 0, sign).repeat("0", fill).append(text, sign, text.length());
        } else {
            out.repeat(" ", fill).append(text);
        }
    }

    private static String hex16(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }

    // bpf_trace_copy_string(): an unreadable string prints as empty
    private static String string(ExecState st, long addr) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MAX_BUF - 1; i++) {
            if (st.check(addr + i, 1, false) == null) {
                return i == 0 ? "" : sb.toString();
            }
            int c = Mem.getU8(addr + i);
            if (c == 0) {
                break;
            }
            sb.append((char) c);
        }
        return sb.toString();
    }

    private static String ipAddress(ExecState st, long addr, boolean upper, boolean v4) {
        int n = v4 ? 4 : 16;
        if (st.check(addr, n, false) == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int b = Mem.getU8(addr + i);
            if (v4) {
                if (i > 0) sb.append('.');
                sb.append(upper ? Integer.toString(b) : String.format("%03d", b));
            } else {
                if (upper && i > 0 && i % 2 == 0) sb.append(':');
                sb.append(String.format("%02x", b));
            }
        }
        return sb.toString();
    }
}
