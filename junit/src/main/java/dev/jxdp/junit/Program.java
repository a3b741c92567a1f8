package dev.jxdp.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Which program an {@code XdpProgram} parameter or field gets, by its function name. Without it (or with an empty
 * name), the object's only XDP program.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Program {
    /**
     * The program's name.
     *
     * @return the C function's name, or empty for the only XDP program
     */
    String value() default "";
}
