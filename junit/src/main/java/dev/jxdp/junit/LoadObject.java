package dev.jxdp.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The eBPF object file ({@code clang -target bpf} output) a test loads. On the test class it serves every test; on a
 * method, that method; on an {@code XdpObject} field or parameter, that field or parameter. The name is looked up on
 * the class path (relative to the test class's package, then from the class path root; a leading {@code /} means the
 * root only), then as a file relative to the project directory.
 *
 * <p>Where several are in reach, a parameter's own wins, then the method's, then a single {@code @LoadObject} field's,
 * then the class's (or an enclosing class's, for {@code @Nested} tests).
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface LoadObject {
    /**
     * The object file.
     *
     * @return its name, e.g. {@code "firewall.o"} or {@code "bpf/firewall.o"}
     */
    String value();

    /**
     * {@code volatile const} globals to set before loading, as {@code "NAME=VALUE"} (an integer, decimal or
     * {@code 0x} hex, an enum constant's name, or true/false), e.g. {@code {"REPLY_TTL=32"}}.
     *
     * @return the assignments; default none
     */
    String[] constants() default {};

    /**
     * Load once for the whole test class and its {@code @Nested} classes (once per engine) instead of once per test:
     * faster, but maps keep what earlier tests left in them.
     *
     * @return true to share; default false, a fresh load per test
     */
    boolean shared() default false;
}
