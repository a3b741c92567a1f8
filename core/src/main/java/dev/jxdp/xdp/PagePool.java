package dev.jxdp.xdp;

import dev.jxdp.ebpf.mem.Sandbox;
import dev.jxdp.xsk.Umem;
import dev.jxdp.xsk.XdpSock;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fixed-size packet frames, allocated once and recycled for the pool's life: the kernel's page_pool
 * (net/core/page_pool.c). The memory is one off-heap block of {@code frames} pages taken at construction
 * and kept until {@link #close()}, the analogue of keeping pages DMA-mapped across recycling:
 * no allocation, mapping or {@code MemorySegment} per packet, a frame is an {@code int} id and its page
 * sits at {@link #address(int)}.
 *
 * <p>Frames not handed out live in a {@link FrameRing} (the pool's ptr_ring) or in a worker's
 * {@link Cache} (the pool's alloc cache, one per NAPI context). A worker allocates and recycles through
 * its own cache without touching shared state, and moves frames between cache and ring 64 at a time;
 * other threads give frames back with {@link #returnBulk}, straight into the ring. A returnBulk on the
 * thread of a worker that allocates from this pool (a veth peer polled after the worker, a TX completion
 * on the same thread) goes into that worker's cache instead, as the kernel's page_pool_napi_local() lets
 * xdp_return_frame_bulk() recycle directly: the frames stay hot, where a trip through the ring would cycle
 * the worker through every page of the pool.
 *
 * <p>Check mode ({@code -Djxdp.pool.check=true} or the constructor flag, off by default for speed, on in
 * tests) keeps a bitmap of the frames in the pool and throws {@link IllegalStateException} naming the
 * frame when one is returned while already there. Without it a double return goes unseen until the ring
 * overflows, which still throws rather than lose or spin.
 *
 * <p>Zero-copy AF_XDP ({@link #overUmem}): the frames are the chunks of a socket's UMEM, as the kernel's
 * xsk_buff_pool stands in for a driver's page_pool. The ring (the pool's free list, what xsk_buff_free()
 * feeds) starts empty, and a cache that finds it empty takes chunks from the socket's fill ring, as
 * xp_alloc() does; a frame redirected to the socket leaves the pool as an RX descriptor and comes back
 * only when the application puts its chunk on the fill ring again.
 */
public final class PagePool implements AutoCloseable {

    /** Bytes per frame: one page, like a driver's order-0 page_pool. */
    public static final int FRAME_SIZE = 4096;
    /** Bytes before the packet data for programs to grow into: XDP_PACKET_HEADROOM. */
    public static final int HEADROOM = 256;
    /** Frames a worker's cache holds: PP_ALLOC_CACHE_SIZE. */
    public static final int CACHE_SIZE = 128;
    /** Frames moved between cache and ring at once: PP_ALLOC_CACHE_REFILL. */
    public static final int BULK = 64;
    /** The largest pool: 64 GiB of frames, ids well inside an int. */
    public static final int MAX_FRAMES = 1 << 24;

    /** log2 of {@link #FRAME_SIZE}: a frame's id is its byte offset in {@link #memory()} shifted right by this. */
    public static final int FRAME_SHIFT = 12;
    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int frames;
    private final Arena arena;
    // zero copy: the UMEM the frames are chunks of, and the socket whose fill ring refills an empty pool
    private final Umem umem;
    private final XdpSock fillSource;
    // zero copy: frames out as TX descriptors' chunks (set by the worker, cleared by whoever returns them),
    // how many came back (any thread) and how many of those the worker has completed
    private final boolean[] onTx;
    private final AtomicLong txReturned;
    private long txCompleted;
    private final MemorySegment memory;
    private final long base;
    private final FrameRing ring;
    private final FrameMeta meta;
    private final boolean check;
    /** Check mode only: bit i set while frame i is in the ring or a cache. */
    private final long[] inPool;
    private final LongAdder returned = new LongAdder();
    // the cache of the worker running on this thread, if any: returns from it go to that cache (napi-local)
    private final ThreadLocal<Cache> napiLocal = new ThreadLocal<>();
    /** Copy-on-write: read by the counters from any thread, written when a worker starts. */
    private volatile Cache[] caches = new Cache[0];

    /** A pool of {@code frames} frames, in check mode when {@code -Djxdp.pool.check=true}. */
    public PagePool(int frames) {
        this(frames, Boolean.getBoolean("jxdp.pool.check"));
    }

    public PagePool(int frames, boolean check) {
        if (frames < 1 || frames > MAX_FRAMES) {
            throw new IllegalArgumentException("page pool: " + frames + " frames: want 1.." + MAX_FRAMES);
        }
        this.frames = frames;
        this.check = check;
        this.arena = Arena.ofShared();   // frames cross threads (cpumap, TX completion), so does close()
        // in the sandbox: programs reach the frames, verified code without a check
        this.memory = Sandbox.allocate(arena, (long) frames << FRAME_SHIFT, FRAME_SIZE);
        this.base = memory.address();
        this.umem = null;
        this.fillSource = null;
        this.onTx = null;
        this.txReturned = null;
        this.meta = new FrameMeta(frames);
        // capacity for every frame at once, so a legitimate return never finds the ring full
        this.ring = new FrameRing(frames == 1 ? 1 : Integer.highestOneBit(frames - 1) << 1);
        this.inPool = check ? new long[(frames + 63) >>> 6] : null;
        int[] all = new int[frames];
        for (int i = 0; i < frames; i++) {
            all[i] = i;
        }
        if (check) {
            markAll(all, 0, frames);
        }
        pushToRing(all, 0, frames);
    }

    // over a UMEM: its chunks are the frames, none in the pool yet (they are on the fill ring or the user's)
    private PagePool(XdpSock sock, boolean check) {
        Umem u = sock.umem();
        this.frames = u.frames();
        this.check = check;
        this.arena = null;
        this.memory = u.region().asSlice(0, (long) frames << FRAME_SHIFT);
        this.base = memory.address();
        this.umem = u;
        this.fillSource = sock;
        this.onTx = new boolean[frames];
        this.txReturned = new AtomicLong();
        this.meta = new FrameMeta(frames);
        this.ring = new FrameRing(frames == 1 ? 1 : Integer.highestOneBit(frames - 1) << 1);
        this.inPool = check ? new long[(frames + 63) >>> 6] : null;
    }

    /**
     * A pool whose frames are the chunks of {@code sock}'s UMEM (zero-copy mode, the kernel's
     * xsk_buff_pool): chunk i is frame i, and a worker's cache that finds the free list empty takes chunks
     * from the socket's fill ring. Chunks must be {@link #FRAME_SIZE} bytes and the UMEM's headroom 0, so a
     * chunk is a page with the data at XDP_PACKET_HEADROOM as every driver lays it out; an
     * {@link IllegalArgumentException} says which does not hold. In check mode when
     * {@code -Djxdp.pool.check=true}. {@link #close()} leaves the UMEM alone: it is the application's.
     */
    public static PagePool overUmem(XdpSock sock) {
        return overUmem(sock, Boolean.getBoolean("jxdp.pool.check"));
    }

    /** {@link #overUmem(XdpSock)}, in check mode or not. */
    public static PagePool overUmem(XdpSock sock, boolean check) {
        Umem u = sock.umem();
        if (u.chunkSize() != FRAME_SIZE) {
            throw new IllegalArgumentException("zero-copy: chunk size " + u.chunkSize() + ": want " + FRAME_SIZE
                    + " (a chunk is a page pool frame)");
        }
        if (u.rxDataOffset() != HEADROOM) {
            throw new IllegalArgumentException("zero-copy: UMEM headroom " + u.config().headroom()
                    + ": want 0 (drivers put the data at XDP_PACKET_HEADROOM in a frame)");
        }
        if (u.frames() > MAX_FRAMES) {
            throw new IllegalArgumentException("zero-copy: " + u.frames() + " chunks: want at most " + MAX_FRAMES);
        }
        if (!Sandbox.contains(u.region())) {
            throw new IllegalArgumentException("zero-copy: the UMEM is outside the sandbox (allocate it with Umem.allocate)");
        }
        return new PagePool(sock, check);
    }

    /** The UMEM whose chunks the frames are (zero-copy), or null for a pool of its own pages. */
    public Umem umem() { return umem; }

    /**
     * Zero copy: frame {@code id} is a TX descriptor's chunk, sent as it is (what xsk_tx_peek_desc() hands a
     * driver). When the TX driver gives it back ({@link #returnBulk}) it does not join the free list: it is
     * counted for {@link #xskTxCompleted()}, its chunk the application's again. The worker's thread only.
     */
    public void xskTxOut(int id) {
        onTx[id] = true;
    }

    /**
     * Zero copy: how many TX chunks came back from the driver since the last call, for the worker to
     * publish that many completion ring entries (xsk_tx_completed()). The worker's thread only.
     */
    public int xskTxCompleted() {
        long now = txReturned.get();
        int n = (int) (now - txCompleted);
        txCompleted = now;
        return n;
    }

    public int frames() { return frames; }

    public boolean checkMode() { return check; }

    /** The page of frame {@code id}: {@link #FRAME_SIZE} bytes, page-aligned. */
    public long address(int id) {
        return base + ((long) Objects.checkIndex(id, frames) << FRAME_SHIFT);
    }

    /** All frames as one segment, for bulk copies by drivers; frame i starts at offset i * FRAME_SIZE. */
    public MemorySegment memory() { return memory; }

    /** Where each frame's packet starts and ends; travels with the frame id. */
    public FrameMeta meta() { return meta; }

    /**
     * A cache for one worker thread (one NAPI context). Not thread-safe by design: only its worker calls
     * {@link Cache#alloc} and {@link Cache#recycleDirect}; every other thread uses {@link #returnBulk}.
     */
    public Cache cache() {
        Cache c = new Cache(this);
        synchronized (this) {
            Cache[] old = caches;
            Cache[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = c;
            caches = grown;
        }
        return c;
    }

    /**
     * Gives frames {@code ids[from..from+n)} back to the pool from any thread: mirrors
     * xdp_return_frame_bulk(), the path of TX completion, cpumap consumers and foreign workers. Over a
     * UMEM, a frame sent from an AF_XDP TX ring ({@link #xskTxOut}) goes back to the application instead.
     */
    public void returnBulk(int[] ids, int from, int n) {
        Objects.checkFromIndexSize(from, n, ids.length);
        for (int i = 0; i < n; i++) {
            Objects.checkIndex(ids[from + i], frames);
        }
        if (onTx != null) {
            returnUmem(ids, from, n);  // one test per bulk, not per frame, for a pool of its own pages
            return;
        }
        returnFrames(ids, from, n);
    }

    // zero copy: TX chunks go back to the application (counted for the completion ring), the runs of other
    // frames between them to the free list
    private void returnUmem(int[] ids, int from, int n) {
        int run = from;
        int end = from + n;
        int done = 0;
        for (int i = from; i < end; i++) {
            int id = ids[i];
            if (onTx[id]) {
                onTx[id] = false;
                done++;
                if (i > run) {
                    returnFrames(ids, run, i - run);
                }
                run = i + 1;
            }
        }
        if (end > run) {
            returnFrames(ids, run, end - run);
        }
        if (done > 0) {
            txReturned.addAndGet(done);
        }
    }

    private void returnFrames(int[] ids, int from, int n) {
        if (check) {
            markAll(ids, from, n);
        }
        Cache local = napiLocal.get();
        if (local != null && local.owner == Thread.currentThread()) {
            // page_pool_napi_local(): the pool's own NAPI context runs on this thread (a veth peer's poll, a
            // TX completion after it), so the frames go straight back to its cache, hot, as allow_direct does
            local.push(ids, from, n);
            local.returnedLocal += n;
            return;
        }
        pushToRing(ids, from, n);
        returned.add(n);
    }

    /**
     * Frames handed out and not given back: {@code frames} minus those in the ring and the caches. Exact
     * when every worker and returner is quiescent (joined); while they run, an estimate off by at most the
     * bulks in flight.
     */
    public int framesOutstanding() {
        long in = ring.size();
        for (Cache c : caches) {
            in += c.count;
        }
        return (int) (frames - in);
    }

    /** Frames in the ring, not counting caches. */
    public int inRing() { return ring.size(); }

    // pool-wide counters: sums over the caches' plain counters, read racily while workers run

    public long allocated() {
        long sum = 0;
        for (Cache c : caches) {
            sum += c.allocated;
        }
        return sum;
    }

    public long recycled() {
        long sum = 0;
        for (Cache c : caches) {
            sum += c.recycled;
        }
        return sum;
    }

    public long allocFailed() {
        long sum = 0;
        for (Cache c : caches) {
            sum += c.allocFailed;
        }
        return sum;
    }

    /** Frames given back through {@link #returnBulk}, to the ring or to the returning thread's own cache. */
    public long returned() {
        long sum = returned.sum();
        for (Cache c : caches) {
            sum += c.returnedLocal;
        }
        return sum;
    }

    /**
     * Frees the frames' memory. The owner stops every worker and driver first: a page the pool no longer
     * owns must not be touched, and unlike the kernel's page_pool (which waits for in-flight pages) this
     * does not wait.
     */
    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }

    /** Puts ids into the ring, waiting out the instants a consumer still holds a slot it has claimed. */
    private void pushToRing(int[] ids, int from, int n) {
        int done = 0;
        while (done < n) {
            int moved = ring.offerBulk(ids, from + done, n - done);
            if (moved == 0) {
                onRingFull();
            }
            done += moved;
        }
    }

    private void onRingFull() {
        if (ring.size() >= ring.capacity()) {
            // the ring holds every frame: whatever is being pushed was already in the pool
            throw new IllegalStateException("page pool: ring full: a frame was returned twice");
        }
        Thread.onSpinWait();
    }

    /** Check mode: marks frames as back in the pool, undoing this call's marks before throwing. */
    private void markAll(int[] ids, int from, int n) {
        for (int i = 0; i < n; i++) {
            int id = ids[from + i];
            if (!markIn(id)) {
                for (int j = 0; j < i; j++) {
                    int undo = ids[from + j];
                    BITS.getAndBitwiseAnd(inPool, undo >>> 6, ~(1L << undo));
                }
                throw returnedTwice(id);
            }
        }
    }

    /** Check mode: marks a frame as back in the pool; false when it already was. */
    private boolean markIn(int id) {
        long bit = 1L << id;
        return ((long) BITS.getAndBitwiseOr(inPool, id >>> 6, bit) & bit) == 0;
    }

    private static IllegalStateException returnedTwice(int id) {
        return new IllegalStateException("page pool: frame " + id + " returned twice");
    }

    /** Check mode: marks a frame as handed out; it must have been in the pool. */
    private void markOut(int id) {
        long bit = 1L << id;
        long prev = (long) BITS.getAndBitwiseAnd(inPool, id >>> 6, ~bit);
        if ((prev & bit) == 0) {
            throw new IllegalStateException("page pool: frame " + id + " handed out while not in the pool");
        }
    }

    /**
     * One worker's frames: a stack of up to {@link #CACHE_SIZE} ids, the hottest on top. Refilled from
     * the ring {@link #BULK} at a time when empty; spills its coldest {@link #BULK} to the ring when full.
     * Not thread-safe: one worker thread owns it (the kernel's alloc cache is likewise only touched from
     * the pool's NAPI context). Its counters are plain fields, read by {@link PagePool} from other
     * threads as estimates.
     */
    public static final class Cache {
        private final PagePool pool;
        private final FrameRing ring;
        private final boolean check;
        private final XdpSock fillSource;
        private final int[] stack = new int[CACHE_SIZE];
        int count;
        long allocated;
        long recycled;
        long allocFailed;
        long refilled;
        long spilled;
        long returnedLocal;
        // the worker thread that allocates from this cache (bound on its first refill)
        Thread owner;

        private Cache(PagePool pool) {
            this.pool = pool;
            this.ring = pool.ring;
            this.check = pool.check;
            this.fillSource = pool.fillSource;
        }

        /**
         * A frame id, or -1 when the pool has none left (counted in {@link #allocFailed()}); the driver
         * then drops, as with a failed page_pool_alloc_pages(). May also fail for an instant while another
         * thread is still publishing the last frames it returned.
         */
        public int alloc() {
            int n = count;
            if (n == 0) {
                n = refill();
                if (n == 0) {
                    allocFailed++;
                    return -1;
                }
            }
            int id = stack[--n];
            count = n;
            allocated++;
            if (check) {
                pool.markOut(id);
            }
            return id;
        }

        /**
         * Gives a frame back on the worker's own path (XDP_DROP, a recycled RX page): mirrors
         * page_pool_recycle_direct(). No shared state is touched unless the cache is full.
         */
        public void recycleDirect(int id) {
            Objects.checkIndex(id, pool.frames);
            if (check && !pool.markIn(id)) {
                throw returnedTwice(id);
            }
            int n = count;
            if (n == CACHE_SIZE) {
                n = spill();
            }
            stack[n] = id;
            count = n + 1;
            recycled++;
        }

        /**
         * {@link #recycleDirect} for {@code ids[from..from+n)}: one copy into the cache instead of a push per
         * frame (an RX-stages vector's dropped frames).
         */
        public void recycleDirectBulk(int[] ids, int from, int n) {
            Objects.checkFromIndexSize(from, n, ids.length);
            if (check) {
                for (int i = 0; i < n; i++) {
                    recycleDirect(ids[from + i]);
                }
                return;
            }
            for (int i = 0; i < n; i++) {
                Objects.checkIndex(ids[from + i], pool.frames);
            }
            push(ids, from, n);
            recycled += n;
        }

        // onto the stack, spilling to the ring when full; ids already checked (and marked in check mode)
        void push(int[] ids, int from, int n) {
            int c = count;
            while (n > 0) {
                if (c == CACHE_SIZE) {
                    c = spill();
                }
                int k = Math.min(n, CACHE_SIZE - c);
                System.arraycopy(ids, from, stack, c, k);
                c += k;
                from += k;
                n -= k;
            }
            count = c;
        }

        /** Gives every cached frame to the ring, for a worker that stops; the cache stays usable. */
        public void drain() {
            int n = count;
            count = 0;
            pool.pushToRing(stack, 0, n);
            spilled += n;
        }

        private int refill() {
            if (owner != Thread.currentThread()) {
                bind();
            }
            int n = ring.pollBulk(stack, 0, BULK);
            if (n == 0 && fillSource != null) {
                n = refillFromFillRing();
            }
            refilled += n;
            return n;
        }

        // xp_alloc()'s second source: the free list is empty, so chunks come off the socket's fill ring and
        // enter the pool (an empty fill ring is counted by the socket as rx_fill_ring_empty_descs)
        private int refillFromFillRing() {
            int n = fillSource.xpAllocFill(stack, 0, BULK);
            if (check && n > 0) {
                pool.markAll(stack, 0, n);  // a chunk the application gave twice is caught here
            }
            return n;
        }

        // this thread's returnBulk calls on the pool come here from now on (once per worker, not per packet)
        private void bind() {
            owner = Thread.currentThread();
            pool.napiLocal.set(this);
        }

        /** Moves the coldest half (the bottom of the stack) to the ring, keeping the recently used frames. */
        private int spill() {
            pool.pushToRing(stack, 0, BULK);
            System.arraycopy(stack, BULK, stack, 0, CACHE_SIZE - BULK);
            spilled += BULK;
            return CACHE_SIZE - BULK;
        }

        /** Frames in this cache now. */
        public int count() { return count; }

        public long allocated() { return allocated; }

        public long recycled() { return recycled; }

        public long allocFailed() { return allocFailed; }

        /** Frames moved from the ring into this cache. */
        public long refilled() { return refilled; }

        /** Frames moved from this cache to the ring. */
        public long spilled() { return spilled; }
    }
}
