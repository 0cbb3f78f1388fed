package dev.storagelab.grader.policy;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinTask;

/**
 * What lab code made its own, where no lab frame shows it: the threads it started, the threads
 * whose uncaught-exception handler it set, the fork-join pools it gave work to ({@link LabPolicy}
 * marks them as it happens). Each is a set of objects by identity, holding them weakly: {@code
 * hashCode} and {@code equals} of a lab class (a subclass of {@code Thread}) are never called.
 */
final class Marked {

    /** The threads lab code started, and those whose uncaught exception runs a handler lab code set. */
    static final Marked THREADS = new Marked();

    /** The threads whose uncaught-exception handler lab code set (the handler acts as lab code when the JVM calls it). */
    static final Marked HANDLED = new Marked();

    /** The fork-join pools lab code gave work to: their workers act as lab code. */
    static final Marked POOLS = new Marked();

    private final Map<Integer, List<WeakReference<Object>>> byHash = new HashMap<>();
    private int added;

    private Marked() {}

    /** Whether the current thread is lab code's: started by lab code, or a worker of a pool lab code gave work to. */
    static boolean labThread() {
        Thread t = Thread.currentThread();
        if (THREADS.contains(t)) {
            return true;
        }
        // (the JDK's own answer of the current worker's pool: no subclass's getPool is called)
        Object pool = ForkJoinTask.getPool();
        return pool != null && POOLS.contains(pool);
    }

    synchronized boolean contains(Object o) {
        List<WeakReference<Object>> refs = byHash.get(System.identityHashCode(o));
        if (refs != null) {
            for (WeakReference<Object> r : refs) {
                if (r.get() == o) {
                    return true;
                }
            }
        }
        return false;
    }

    synchronized void add(Object o) {
        if (contains(o)) {
            return;
        }
        if (++added % 1024 == 0) { // forget what was collected
            for (Iterator<List<WeakReference<Object>>> it = byHash.values().iterator(); it.hasNext(); ) {
                List<WeakReference<Object>> refs = it.next();
                remove(refs, null);
                if (refs.isEmpty()) {
                    it.remove();
                }
            }
        }
        Integer hash = System.identityHashCode(o);
        List<WeakReference<Object>> refs = byHash.get(hash);
        if (refs == null) {
            refs = new ArrayList<>(1);
            byHash.put(hash, refs);
        }
        refs.add(new WeakReference<>(o));
    }

    synchronized void remove(Object o) {
        List<WeakReference<Object>> refs = byHash.get(System.identityHashCode(o));
        if (refs != null) {
            remove(refs, o);
        }
    }

    /** Removes {@code o} and every collected reference from {@code refs}. */
    private static void remove(List<WeakReference<Object>> refs, Object o) {
        for (Iterator<WeakReference<Object>> it = refs.iterator(); it.hasNext(); ) {
            Object held = it.next().get();
            if (held == null || held == o) {
                it.remove();
            }
        }
    }
}
