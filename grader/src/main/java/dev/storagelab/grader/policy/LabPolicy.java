package dev.storagelab.grader.policy;

import java.io.File;
import java.util.List;
import java.util.Set;

/**
 * The in-JVM policy's rules, which the JDK's own entry points call once the agent ({@link
 * PolicyAgent}) has rewritten them ({@link PolicyAdvice}). Lab code (the classes of the labs' class
 * folders, {@value #LAB_CODE}) may use files only under the run's own folders ({@value #FOLDERS}),
 * read the workspace's switches and a few harmless properties; and nothing else: no process, exit
 * or halt, shutdown hook, socket or name lookup, file descriptor, attach, management bean,
 * instrumentation, native library, reflection past access checks, class loader, {@code setIO}, or
 * change of the JVM's properties and defaults. Every other class (the JDK, JUnit, jqwik, Lincheck,
 * JMH, the tests, the testkit, the runner) may do anything.
 *
 * <p>A call is refused when lab code is in charge of it ({@link Callers}): a lab class is on the
 * calling thread's stack above the nearest place where the JDK works on its own behalf, or, with
 * neither on the stack, the thread is lab code's. Reading a property, the environment, or making a
 * member accessible is lab code's only when a JDK class did not make the call itself, judged by
 * its real caller, past reflection and method handles. Files are judged by the rules of files
 * ({@link FileRules}).
 *
 * <p><b>Threads and callbacks.</b> A thread lab code starts (made or started while lab code is in
 * charge, or by such a thread) is lab code's for its whole life ({@link Marked}): a call on it with
 * no lab frame and no place of the JDK's own work on its stack is lab code's all the same, so a
 * library's {@code Runnable}, uncaught-exception handler, timer task or cleaning action that lab
 * code hands to its own threads acts as lab code. So does a thread's uncaught-exception handler
 * that lab code set, when the JVM calls it, and a task on a fork-join pool lab code has given work
 * to (the common pool among them). Neither lab code nor anything it installs can end the JVM; the
 * runner, a crash test's child and JMH's forks, on threads of their own, still can.
 *
 * <p><b>Its own state</b> is out of reach past every access check: the fields of every class of
 * the policy ({@link #CLASSES}) are hidden from reflection ({@code getDeclaredField} finds none, so
 * neither {@code setAccessible} nor {@code Unsafe.staticFieldOffset} has a field to work on), and
 * making a member of a policy class accessible ({@code setAccessible}, {@code privateLookupIn}) is
 * refused whoever asks. {@code sun.misc.Unsafe}, which would write any memory, stays out of lab
 * code's reach from the JDK: {@code getUnsafe} refuses classes off the boot and platform class
 * paths, and its field opens only past the access check refused here. A library on the class path
 * that holds an {@code Unsafe} or an {@code Instrumentation} already (Lincheck, JMH, Byte Buddy)
 * and hands it out is stopped by the allow-list alone, which refuses their APIs to student code.
 *
 * <p>The policy's classes are on the boot class path, so that the JDK's classes can call them; they
 * use only the JDK. A refusal is a {@link SecurityException} whose message names what was refused
 * the way the Security Manager once did ({@link Refusal}): {@code access denied
 * ("java.io.FilePermission" "/proc/self/cmdline" "read")}. This class holds the entry points the
 * rewritten JDK calls and what each refuses; who is in charge of a call ({@link Callers}), what lab
 * code made its own ({@link Marked}), the rules of files ({@link FileRules}), what the policy was
 * started with ({@link PolicyConfig}) and how a refusal reads ({@link Refusal}) are each a class of
 * their own, and none of them calls back into this one.
 */
public final class LabPolicy {

    /** The system property that lists the labs' class folders, separated by {@link File#pathSeparator}. */
    public static final String LAB_CODE = "storagelab.sandbox.labCode";
    /** The system property that lists the folders lab code may use, separated by {@link File#pathSeparator}. */
    public static final String FOLDERS = "storagelab.sandbox.folders";

    /**
     * The policy's classes, each with its nested ones: on the boot class path together ({@link
     * PolicyJars} puts them in its jar), each with its fields hidden from reflection, each
     * initialised before the JDK is rewritten.
     */
    static final List<Class<?>> CLASSES =
            List.of(LabPolicy.class, Callers.class, Marked.class, FileRules.class, PolicyConfig.class, Refusal.class);

    /** The properties lab code may read: the workspace's switches and what any Java program reads. */
    private static final Set<String> READABLE = Set.of(
            "storagelab.btree.treeLock",
            "storagelab.btree.latchedGets",
            "storagelab.btree.pool",
            "storagelab.events",
            "user.dir",
            "java.io.tmpdir",
            "os.name",
            "os.arch",
            "line.separator",
            "file.separator",
            "path.separator",
            "java.version");

    private LabPolicy() {}

    /** Whether the policy is in force in this JVM: its agent has put it in place. */
    public static boolean inForce() {
        return PolicyConfig.current() != null;
    }

    /**
     * Starts the policy with the lists its JVM was given ({@value #LAB_CODE}, {@value #FOLDERS}).
     * Once only: a second call (from lab code or anyone) is refused. Every class of the policy is
     * initialised here, before the agent rewrites the JDK: a static initialiser run later, from a
     * check, would call the JDK's rewritten entry points while its class's own state is not there.
     */
    public static synchronized void configure(String labCode, String folders, String userDir) {
        if (inForce()) {
            throw new SecurityException("access denied: the policy is already in force");
        }
        hideFields();
        for (Class<?> c : CLASSES) {
            try {
                Class.forName(c.getName(), true, c.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the policy's class " + c.getName() + " is not where it is", e);
            }
        }
        PolicyConfig.start(labCode, folders, userDir);
    }

    /**
     * Hides the fields of the policy's classes from reflection, as the JDK hides its own most
     * sensitive ones ({@code jdk.internal.reflect.Reflection.registerFieldsToFilter}): {@code
     * getDeclaredField} finds none of them, so no {@code Field} of the policy's state exists for
     * {@code setAccessible} or {@code Unsafe} to work on. The agent has exported {@value
     * #REFLECTION}'s package to these classes' module alone ({@link PolicyAgent#openTheJdkToThePolicy}).
     */
    private static void hideFields() {
        try {
            java.lang.reflect.Method filter =
                    Class.forName(REFLECTION).getMethod("registerFieldsToFilter", Class.class, Set.class);
            for (Class<?> c : CLASSES) {
                filter.invoke(null, c, Set.of("*"));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("the policy cannot hide its own state: " + e, e);
        }
    }

    /** The JDK's class that hides fields from reflection. */
    static final String REFLECTION = "jdk.internal.reflect.Reflection";

    /** Whether the policy judges the call being made: it is in force, and not at work itself on this thread. */
    private static boolean judging() {
        return PolicyConfig.current() != null && !Callers.busy();
    }

    // --- files ------------------------------------------------------------------------------------

    /** A file opened by name through {@code java.io} (a stream or a random-access file). */
    public static void open(String path, boolean write) {
        FileRules.file(path, write);
    }

    /**
     * One of {@code java.io.File}'s methods on the file whose {@code path} field is {@code path}
     * ({@code args}: the method's arguments). A file given as an argument ({@code renameTo}'s) is
     * judged by its path only when it is a {@code java.io.File} itself: a subclass's {@code getPath}
     * may name another file than the one the native code uses.
     */
    public static void file(String path, String method, Object[] args) {
        if (judging()) {
            FileRules.fileMethod(path, method, args);
        }
    }

    /**
     * One of the Unix file system's calls ({@code sun.nio.fs.UnixNativeDispatcher}, through which
     * every {@code java.nio.file} operation goes): {@code method} with {@code args}, a path being a
     * {@code UnixPath} (resolved against the working directory) or, for the calls relative to an
     * open directory ({@code openat}, ...), a name in bytes.
     */
    public static void unixCall(String method, Object[] args) {
        if (judging()) {
            FileRules.unixCall(method, args);
        }
    }

    // --- what lab code may never call -------------------------------------------------------------

    /**
     * A call lab code may never make: {@code where} is the JDK's method ({@code java.lang.Runtime.halt}).
     * Where the JDK changes its own state on any thread's behalf (a worker thread's class loader, a
     * default set while it starts), the JDK's own call passes.
     */
    public static void call(String where) {
        if (!judging()) {
            return;
        }
        Refusal r = Refusal.of(where);
        if (r.jdkMayCall() && Callers.calledByJdk()) {
            return;
        }
        if (Callers.labInCharge()) {
            throw r.exception();
        }
    }

    /** A class loader's construction: refused to lab code (the JDK's reflection makes its own in a {@code doPrivileged}). */
    public static void classLoader() {
        if (judging() && Callers.labInCharge()) {
            throw Refusal.denied("java.lang.RuntimePermission", "createClassLoader", null);
        }
    }

    // --- properties, the environment, reflection --------------------------------------------------

    /** {@code System.getProperty(key)} and its kin ({@code key} null: every property at once). */
    public static void readProperty(String key) {
        if (!judging() || (key != null && READABLE.contains(key))) {
            return;
        }
        if (!Callers.calledByJdk() && Callers.labInCharge()) {
            throw Refusal.denied("java.util.PropertyPermission", key == null ? "*" : key, "read");
        }
    }

    /** {@code System.getenv(name)} ({@code name} null: the whole environment). */
    public static void readEnvironment(String name) {
        if (judging() && !Callers.calledByJdk() && Callers.labInCharge()) {
            throw Refusal.denied("java.lang.RuntimePermission", "getenv." + (name == null ? "*" : name), null);
        }
    }

    /**
     * {@code setAccessible(flag)}, {@code trySetAccessible()} on {@code member}, or the static
     * {@code AccessibleObject.setAccessible(array, flag)} ({@code member} null, {@code args} the
     * method's arguments): past the access checks. A member of the policy's own classes is refused
     * whoever asks.
     */
    public static void suppressAccessChecks(Object member, Object[] args) {
        boolean on = args.length == 0 || Boolean.TRUE.equals(args[args.length - 1]);
        if (!on || !judging()) {
            return;
        }
        boolean policy = ofPolicy(member);
        if (args.length == 2 && args[0] instanceof Object[] members) {
            for (Object m : members) {
                policy |= ofPolicy(m);
            }
        }
        if (policy || (!Callers.calledByJdk() && Callers.labInCharge())) {
            throw Refusal.denied("java.lang.reflect.ReflectPermission", "suppressAccessChecks", null);
        }
    }

    /** {@code MethodHandles.privateLookupIn(target, caller)}: a lookup past the access checks of {@code target}. */
    public static void privateLookup(Class<?> target) {
        if (!judging()) {
            return;
        }
        if ((target != null && Callers.isPolicyClass(target)) || (!Callers.calledByJdk() && Callers.labInCharge())) {
            throw Refusal.denied("java.lang.reflect.ReflectPermission", "suppressAccessChecks", null);
        }
    }

    /** Whether {@code member} is a field, method or constructor of one of the policy's classes (the JDK's own final classes: nothing of the caller's runs). */
    private static boolean ofPolicy(Object member) {
        Class<?> declaring = null;
        if (member instanceof java.lang.reflect.Field f) {
            declaring = f.getDeclaringClass();
        } else if (member instanceof java.lang.reflect.Method m) {
            declaring = m.getDeclaringClass();
        } else if (member instanceof java.lang.reflect.Constructor<?> c) {
            declaring = c.getDeclaringClass();
        }
        return declaring != null && Callers.isPolicyClass(declaring);
    }

    // --- threads and callbacks ------------------------------------------------------------------

    /**
     * A thread made ({@code Thread}'s constructor, at its end) or started: lab code's for life
     * when lab code is in charge, or when the thread that makes or starts it is lab code's.
     */
    public static void thread(Thread made) {
        if (!judging() || Marked.THREADS.contains(made)) {
            return;
        }
        if (Callers.labInCharge()) {
            Marked.THREADS.add(made);
        }
    }

    /** {@code thread.setUncaughtExceptionHandler(handler)}: set by lab code, the handler acts as lab code. */
    public static void uncaughtHandler(Thread thread) {
        if (!judging()) {
            return;
        }
        if (Callers.labInCharge()) {
            Marked.HANDLED.add(thread);
        } else {
            Marked.HANDLED.remove(thread);
        }
    }

    /**
     * The JVM calls {@code thread}'s uncaught-exception handler, as the thread ends: from here on
     * the thread is lab code's if the handler is one lab code set.
     */
    public static void uncaught(Thread thread) {
        if (inForce() && Marked.HANDLED.contains(thread)) {
            Marked.THREADS.add(thread);
        }
    }

    /**
     * Work given to a fork-join pool ({@code pool}; null: the common pool, where a task forked
     * outside any pool goes): given by lab code, every worker of the pool acts as lab code from
     * then on, whatever task it runs.
     */
    public static void poolWork(Object pool) {
        if (!judging()) {
            return;
        }
        Object given = pool;
        if (given == null) { // a fork: into the pool of the worker that forks, or the common pool
            given = java.util.concurrent.ForkJoinTask.getPool();
            if (given == null) {
                given = java.util.concurrent.ForkJoinPool.commonPool();
            }
        }
        if (!Marked.POOLS.contains(given) && Callers.labInCharge()) {
            Marked.POOLS.add(given);
        }
    }
}
