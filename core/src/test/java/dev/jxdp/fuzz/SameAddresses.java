package dev.jxdp.fuzz;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jxdp.ebpf.interp.Harness;
import dev.jxdp.ebpf.maps.BpfMap;
import dev.jxdp.ebpf.maps.MapType;
import dev.jxdp.ebpf.testrun.MapJson;

/**
 * Two engines run one after the other on one {@link Harness}, each from the same state: the maps as they
 * were, the stack and the frame's buffer zeroed. Fresh harnesses would not do: a privileged program may
 * store a pointer (the ctx, a stack or map value address) into the packet or a map, as the kernel allows
 * root, and two harnesses have their memory at different addresses, so the bytes would differ though both
 * engines are right. On one harness every address is the same for both.
 */
final class SameAddresses {
    private final Harness h;
    private ObjectNode saved;

    SameAddresses(Harness h) {
        this.h = h;
    }

    /** Remembers the maps as they are now: what each engine starts from. */
    void save() {
        saved = MapJson.dump(h.coll);
    }

    /** Puts the maps back as saved, zeroes the stack and the frame buffer, loads {@code frame}. */
    void restore(byte[] frame) {
        for (BpfMap m : h.coll.maps()) {
            clear(m);
        }
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        doc.set("maps", saved);
        MapJson.applyInit(h.coll, doc);
        h.st.stackRegion().segment().fill((byte) 0);
        h.buff.frame().fill((byte) 0);
        h.buff.load(frame);
        h.st.begin(h.buff);
    }

    /** Every value of an array zeroed, every element of a hash deleted: the maps as the harness made them. */
    private static void clear(BpfMap m) {
        if (m.type() == MapType.ARRAY) {
            byte[] zero = new byte[m.valueSize()];
            for (byte[] k = m.userNextKey(null); k != null; k = m.userNextKey(k)) {
                m.userUpdate(k, zero, 0);
            }
        } else if (m.type() == MapType.HASH) {
            for (byte[] k = m.userNextKey(null); k != null; k = m.userNextKey(null)) {
                m.userDelete(k);
            }
        } else {
            throw new IllegalStateException("map " + m.name() + ": " + m.type() + " has no reset here");
        }
    }
}
