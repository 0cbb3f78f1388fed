package dev.storagelab.testkit;

import java.util.function.Supplier;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.Options;
import org.jetbrains.kotlinx.lincheck.transformation.LincheckJavaAgent;

/**
 * What a Lincheck 2.x model-checking test of an engine class needs beyond the lab-03 pattern.
 *
 * <p>Before each scenario Lincheck walks the test object's fields to instrument the classes of
 * every object it reaches, and the walk fails on record classes ("can't get field offset on a
 * record class"), which the engines use for options, index entries and tables. So a test keeps
 * its engine out of that walk with {@link #unwalked}, and names the engine's classes for
 * {@link #instrument}, which does for them what the walk would have done: a class the model
 * checker has not instrumented has no thread switch points, so a race inside it goes unseen
 * (this matters when an earlier test in the same JVM loaded the class before Lincheck ran).
 * The other way out, {@code -Dlincheck.instrumentAllClasses=true}, costs half a minute per run.
 *
 * <p>Needs Lincheck on the test class path: this module declares it optional, so only the labs
 * that declare it themselves get it.
 */
public final class LincheckSupport {

    private LincheckSupport() {
    }

    /** {@code value} behind a lambda, whose class Lincheck's walk does not enter. */
    public static <T> Supplier<T> unwalked(T value) {
        return () -> value;
    }

    /**
     * Instruments {@code classes}, their superclasses and their nested classes for the model
     * checker, if they are not already. Call it in the test's constructor. Lincheck also builds
     * test objects outside its runs, before its agent is installed; then this does nothing (a
     * class marked instrumented then would make the next run's install fail "Check failed.").
     */
    public static void instrument(Class<?>... classes) {
        if (!insideModelCheckerRun()) {
            return;
        }
        for (Class<?> c : classes) {
            LincheckJavaAgent.INSTANCE.ensureClassHierarchyIsTransformed(c.getName());
            instrument(c.getDeclaredClasses());
        }
    }

    private static boolean insideModelCheckerRun() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals("org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategy")));
    }

    /**
     * {@link LinChecker#check(Class, Options)}, with one fix: when Lincheck finds a failure whose
     * trace it cannot print (2.39 throws {@code UninitializedPropertyAccessException} from its
     * trace reporter for some array reads), the test still fails with an AssertionError that
     * says a failing interleaving was found, instead of Lincheck's internal error.
     */
    public static void check(Class<?> testClass, Options<?, ?> options) {
        try {
            LinChecker.check(testClass, options);
        } catch (RuntimeException e) {
            if (!e.getClass().getName().equals("kotlin.UninitializedPropertyAccessException")) {
                throw e;
            }
            throw new AssertionError("Lincheck found an interleaving of " + testClass.getSimpleName()
                    + "'s scenario whose results no sequential order gives (its trace could not be printed)", e);
        }
    }
}
