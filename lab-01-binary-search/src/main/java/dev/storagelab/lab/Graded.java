package dev.storagelab.lab;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a hidden test as graded: how many points it is worth and which concept it checks. The
 * grader shows the concept (never the test's source) when the test fails, so a student learns
 * <em>what</em> is wrong: "tombstone resurrected after compaction".
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Graded {

    /** Points awarded when the test passes. */
    int points();

    /** The concept the test checks, phrased as the bug a failure reveals or the property it proves. */
    String concept();

    /**
     * The handout's task whose work the test checks ({@code "T4"}): the report adds the test's
     * points to that task's row, so a student sees which task lost them. A test of a whole engine
     * counts under the task that puts the engine's path together.
     */
    String task() default "";
}
