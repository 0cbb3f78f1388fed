package dev.storagelab.testkit;

import java.lang.reflect.AnnotatedElement;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.AroundTryHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import net.jqwik.api.lifecycle.TryExecutionResult;
import net.jqwik.api.lifecycle.TryExecutor;
import net.jqwik.api.lifecycle.TryLifecycleContext;

/**
 * The jqwik side of {@link FailureRecording}: each try of a property is recorded on its own, the
 * last falsified one is kept (while jqwik shrinks, each smaller sample that still fails replaces
 * it, so the one kept is the shrunk sample), and when the property fails that one is written.
 * Registered for every property through jqwik's service loader; it records only what
 * {@link FailureRecorder#applies} allows.
 */
public final class FailureRecordingHook implements AroundPropertyHook, AroundTryHook {

    /**
     * The falsified try kept of the property running now (jqwik runs one property at a time, and
     * may shrink on a thread of its own, so this is not kept per thread).
     */
    private static final java.util.concurrent.atomic.AtomicReference<FailureRecorder.Events> LAST_FALSIFIED =
            new java.util.concurrent.atomic.AtomicReference<>();

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public boolean appliesTo(Optional<AnnotatedElement> element) {
        return true;
    }

    /** Outside every other hook: the property's own {@code @BeforeTry} methods run inside it. */
    @Override
    public int aroundTryProximity() {
        return -100;
    }

    @Override
    public int aroundPropertyProximity() {
        return -100;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property)
            throws Throwable {
        if (!FailureRecorder.applies(context.containerClass())) {
            return property.execute();
        }
        LAST_FALSIFIED.set(null);
        try {
            PropertyExecutionResult result = property.execute();
            FailureRecorder.Events kept = LAST_FALSIFIED.get();
            if (result.status() == PropertyExecutionResult.Status.FAILED && kept != null) {
                FailureRecorder.write(
                        kept,
                        context.containerClass(),
                        context.targetMethod().getName(),
                        result.throwable().orElse(null));
            }
            return result;
        } finally {
            LAST_FALSIFIED.set(null);
        }
    }

    @Override
    public TryExecutionResult aroundTry(TryLifecycleContext context, TryExecutor aTry, List<Object> parameters)
            throws Throwable {
        if (!FailureRecorder.applies(context.containerClass())) {
            return aTry.execute(parameters);
        }
        FailureRecorder.Events events = FailureRecorder.start();
        TryExecutionResult result;
        try {
            result = aTry.execute(parameters);
        } finally {
            FailureRecorder.stop();
        }
        if (events != null && result.isFalsified()) {
            LAST_FALSIFIED.set(events);
        }
        return result;
    }
}
