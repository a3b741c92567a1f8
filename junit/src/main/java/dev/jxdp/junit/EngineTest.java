package dev.jxdp.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;

/**
 * A test that runs once per engine of its class's {@link XdpTest#engines()} (or of {@code -Djxdp.engines}), each run
 * with its own freshly loaded object; the runs are named after their engine ("jit", "kernel"). Use it instead of
 * {@code @Test} for behaviour that must be the same in jxdp and in the kernel.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
public @interface EngineTest {}
