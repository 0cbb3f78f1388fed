package dev.storagelab.testkit;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit extension that records a public test's engines and, when the test fails, writes the
 * recording for the viewer ({@link FailureRecorder}). {@code ./storagelab test} turns it on
 * (JUnit's extension auto-detection and {@value FailureRecorder#PROPERTY}); it starts before the
 * test's own {@code @BeforeEach} methods, so an engine opened there is heard too.
 */
public final class FailureRecording implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(FailureRecording.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        if (FailureRecorder.applies(context.getRequiredTestClass())) {
            FailureRecorder.Events events = FailureRecorder.start();
            if (events != null) {
                context.getStore(NAMESPACE).put("events", events);
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        FailureRecorder.Events events = context.getStore(NAMESPACE).remove("events", FailureRecorder.Events.class);
        if (events == null) {
            return;
        }
        FailureRecorder.stop();
        context.getExecutionException()
                .ifPresent(failure -> FailureRecorder.write(
                        events,
                        context.getRequiredTestClass(),
                        context.getRequiredTestMethod().getName() + index(context),
                        failure));
    }

    /** A parameterized or repeated test's invocation, as {@code [3]}; empty for a plain test. */
    private static String index(ExtensionContext context) {
        String id = context.getUniqueId();
        int at = id.lastIndexOf("#");
        return at >= 0 && id.endsWith("]") ? "[" + id.substring(at + 1, id.length() - 1) + "]" : "";
    }
}
