package dev.storagelab.testkit;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.kotlinx.lincheck.Options;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
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

    private LincheckSupport() {}

    /** {@code value} behind a lambda, whose class Lincheck's walk does not enter. */
    public static <T> Supplier<T> unwalked(T value) {
        return () -> value;
    }

    /**
     * Instruments {@code classes}, their superclasses and their nested classes for the model
     * checker, if they are not already. Name here every record class with a static field that the
     * code under test builds or reads (such as lab-06's {@code CheckpointFile}): Lincheck 2.39's own
     * first encounter with one fails the run ("can't get base address on a record class"), this
     * one does not. Call it in the test's constructor. Lincheck also builds
     * test objects outside its runs, before its agent is installed; then this does nothing (a
     * class marked instrumented then would make the next run's install fail "Check failed.").
     */
    public static void instrument(Class<?>... classes) {
        if (!insideModelCheckerRun()) {
            return;
        }
        for (Class<?> c : classes) {
            try {
                LincheckJavaAgent.INSTANCE.ensureClassHierarchyIsTransformed(c.getName());
            } catch (UnsupportedOperationException e) {
                // A record with a static field: 2.39 marks it instrumented and transforms it, then
                // fails reading its static fields (which it would walk). Marked, it is skipped from
                // now on, so the student code that builds one no longer fails the same way.
                if (!c.isRecord()) {
                    throw e;
                }
            }
            instrument(c.getDeclaredClasses());
        }
    }

    private static boolean insideModelCheckerRun() {
        return StackWalker.getInstance()
                .walk(frames -> frames.anyMatch(f ->
                        f.getClassName().equals("org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategy")));
    }

    /**
     * One call of a custom scenario ({@link #scenario}): the {@code @Operation} method {@code name} of
     * {@code testClass} that takes {@code args.length} parameters, with {@code args}.
     */
    public static Actor actor(Class<?> testClass, String name, Object... args) {
        for (Method m : testClass.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                return new Actor(m, Arrays.asList(args));
            }
        }
        throw new IllegalArgumentException(
                testClass.getSimpleName() + " has no operation " + name + " with " + args.length + " parameters");
    }

    /**
     * A scenario written out, for {@code options.addCustomScenario}: {@code init} in the first thread,
     * then each list of {@code threads} in a thread of its own, in parallel, then {@code post}. Lincheck
     * explores it before its random ones: the interleavings that expose a known kind of race are
     * then certain to be tried, whatever the random scenarios hold, at a fraction of their cost.
     */
    public static ExecutionScenario scenario(List<Actor> init, List<List<Actor>> threads, List<Actor> post) {
        return new ExecutionScenario(init, threads, post, null);
    }

    /**
     * {@code options} with Lincheck's deadline for one run of one scenario set to {@code millis}
     * (2.39 keeps the setter internal; its default, 20 s, is what it waits before it reports a
     * hang). The first run of a scenario transforms the classes it loads, which on a loaded
     * machine can take longer than 20 s for an engine's many classes.
     */
    public static <O extends Options<O, ?>> O invocationTimeout(O options, long millis) {
        return options.invocationTimeout$lincheck(millis);
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
            throw new AssertionError(
                    "Lincheck found an interleaving of " + testClass.getSimpleName()
                            + "'s scenario whose results no sequential order gives (its trace could not be printed)",
                    e);
        }
    }
}
