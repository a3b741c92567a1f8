package dev.jxdp.ebpf.maps;

/** The errno values helpers and map operations return (negated), as on x86-64 Linux. */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int E2BIG = 7;
    public static final int ENOMEM = 12;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int ENOBUFS = 105;
    public static final int ERANGE = 34;
    public static final int ENOTSUPP = 524;
    public static final int EOPNOTSUPP = 95;
    public static final int EACCES = 13;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENODEV = 19;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSOCK = 88;
}
