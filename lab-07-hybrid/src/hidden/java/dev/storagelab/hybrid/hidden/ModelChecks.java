package dev.storagelab.hybrid.hidden;

import org.jetbrains.kotlinx.lincheck.LinChecker;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.util.UnsafeHolder;

/**
 * How lab-07's model-checking tests run Lincheck. This lab's tests use Lincheck 3 (the earlier
 * labs' use Lincheck 2, through {@code LincheckSupport.check}): Lincheck 3 instruments every class
 * the code under test loads, the JDK's and Guava's locks included, which a model check of the
 * hybrid's moves needs (Lincheck 2 took a writer parked on a key's stripe lock for a deadlock).
 */
public final class ModelChecks {

    private ModelChecks() {}

    /**
     * Runs {@code testClass}'s model check with {@code options}, each run of a scenario allowed
     * {@code timeoutMillis} before Lincheck reports it hung (its default, 30 s, the first run's
     * transformation of the classes can pass on a loaded machine).
     */
    public static void check(Class<?> testClass, ModelCheckingOptions options, long timeoutMillis) {
        // Lincheck takes sun.misc.Unsafe once, reflectively, the first time it needs it. Under the
        // grader that first time may come with lab code on the stack, whose sandbox refuses the
        // reflection: take it now, from the test's own frames.
        UnsafeHolder.INSTANCE.getUNSAFE();
        LinChecker.check(testClass, options.invocationTimeout$lincheck(timeoutMillis));
    }
}
