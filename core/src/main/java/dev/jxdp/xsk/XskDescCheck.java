package dev.jxdp.xsk;

/**
 * What the kernel's {@code xp_validate_desc()} makes of a TX descriptor: valid, or the first reason it is
 * not. An invalid descriptor is counted as {@code tx_invalid_descs} and its bytes are never read.
 */
public enum XskDescCheck {
    /** Inside the UMEM and inside one chunk: the kernel would send it. */
    VALID,
    /** len is 0: many NICs cannot send it, so the kernel refuses it everywhere. */
    ZERO_LENGTH,
    /** Aligned mode: the offset in the chunk plus len runs past the chunk's end. */
    CROSSES_CHUNK,
    /** Unaligned mode: len is more than a chunk. */
    TOO_LONG,
    /** The address, or its end, is past the end of the UMEM. */
    OUT_OF_UMEM,
    /** An options bit other than XDP_PKT_CONTD and XDP_TX_METADATA is set. */
    BAD_OPTIONS
}
