package dev.jxdp.junit;

import static dev.jxdp.junit.XdpAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jxdp.XdpMap;
import dev.jxdp.XdpObject;
import dev.jxdp.XdpProgram;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** An object loaded once for the class ({@code shared = true}), which its nested classes share. */
@XdpTest
@LoadObject(value = "kit.o", shared = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedObjectTest {
    private static XdpObject first;

    @Test
    @Order(1)
    void firstTestFillsTheMap(XdpObject obj, @Map("blocked") XdpMap blocked) {
        first = obj;
        blocked.updateDecoded(99, 0L);
    }

    @Test
    @Order(2)
    void secondTestSeesTheSameObjectAndMap(XdpObject obj, @Program("route") XdpProgram route) {
        assertSame(first, obj);
        assertThat(route.testRun(Packets.udp4().dstPort(99).build())).isDrop();
    }

    @Nested
    class Inner {
        @Test
        void nestedTestsShareTheOuterClassesObject(XdpObject obj) {
            assertEquals("kit.o", obj.spec().name());
            assertSame(first, obj);
        }
    }
}
