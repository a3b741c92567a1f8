package dev.jxdp.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Which map an {@code XdpMap} parameter or field gets, by its name in the object. */
@Target({ElementType.FIELD, ElementType.PARAMETER})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Map {
    /**
     * The map's name.
     *
     * @return the name the C source declares it with
     */
    String value();
}
