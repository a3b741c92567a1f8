package dev.jxdp.junit;

import dev.jxdp.Engine;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Makes a class a test of XDP programs: the object named by {@link LoadObject} is loaded fresh for every test (its
 * maps empty) and closed after it, and test and lifecycle methods get it, its programs and its maps as parameters.
 *
 * <pre>{@code
 * @XdpTest
 * @LoadObject("firewall.o")
 * class FirewallTest {
 *     @Test
 *     void dropsBlockedPort(XdpProgram prog, @Map("blocked_ports") XdpMap blocked) {
 *         blocked.updateDecoded(53, 0L);
 *         assertThat(prog.testRun(Packets.udp4().dst("10.0.0.2", 53).build())).isDrop();
 *     }
 * }
 * }</pre>
 *
 * <p>A method annotated {@link EngineTest} instead of {@code @Test} runs once per engine in {@link #engines()}; a plain
 * {@code @Test} runs on the first of them. The system property {@code jxdp.engines} (e.g. {@code -Djxdp.engines=jit,kernel})
 * overrides the list for a whole run. {@link Engine#KERNEL} needs root: where the kernel engine is unavailable its
 * runs are skipped, with the reason.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(XdpExtension.class)
public @interface XdpTest {
    /**
     * The engines an {@link EngineTest} runs on, in order; the first runs plain tests.
     *
     * @return the engines; default {@link Engine#JIT} alone
     */
    Engine[] engines() default {Engine.JIT};
}
