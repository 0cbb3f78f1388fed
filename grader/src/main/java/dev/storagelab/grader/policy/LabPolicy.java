package dev.storagelab.grader.policy;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
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
 * <p>A call is lab code's when a lab class is on the calling thread's stack above the nearest place
 * where the JDK works on its own behalf: a class loader loading a class, a JDK class's static
 * initialiser, a service loader, a {@code doPrivileged} of trusted code (not one given its caller's
 * context, as {@code java.beans.Statement} does), and Lincheck's
 * instrumentation hooks ({@value #LINCHECK_HOOKS}: its model checker reflects on the objects lab
 * code holds while that code is still below). So a given class that opens files by name, called
 * from student code, is held to the same folders. Reading a property, the environment, or making a
 * member accessible is lab code's only when a JDK class did not make the call itself: the JDK reads
 * its own settings, and opens its own members, on any thread. Who made the call is its <em>real
 * caller</em>, what {@code Reflection.getCallerClass} would answer: the first frame past the entry
 * point that is neither reflection's machinery ({@code Method.invoke}, its accessors) nor method
 * handles' ({@code java.lang.invoke}, the JDK's hidden classes, dynamic proxies), so a reflective
 * call or a method handle is judged as the class that made it. Lambdas and method references count
 * as the class that wrote them (their hidden frames are walked too).
 *
 * <p><b>Threads and callbacks.</b> A thread lab code starts (made or started while lab code is in
 * charge, or by such a thread) is lab code's for its whole life: a call on it with no lab frame
 * and no place of the JDK's own work on its stack is lab code's all the same, so a library's
 * {@code Runnable}, uncaught-exception handler, timer task or cleaning action that lab code hands
 * to its own threads acts as lab code. So does a thread's uncaught-exception handler that lab code
 * set, when the JVM calls it, and a task on a fork-join pool lab code has given work to (the
 * common pool among them). Neither lab code nor anything it installs can end the JVM; the runner,
 * a crash test's child and JMH's forks, on threads of their own, still can.
 *
 * <p><b>Its own state</b> is out of reach past every access check: the policy's fields are hidden
 * from reflection ({@code getDeclaredField} finds none, so neither {@code setAccessible} nor {@code
 * Unsafe.staticFieldOffset} has a field to work on), and making a member of a policy class
 * accessible ({@code setAccessible}, {@code privateLookupIn}) is refused whoever asks. {@code
 * sun.misc.Unsafe}, which would write any memory, stays out of lab code's reach from the JDK: {@code
 * getUnsafe} refuses classes off the boot and platform class paths, and its field opens only past
 * the access check refused here. A library on the class path that holds an {@code Unsafe} or an
 * {@code Instrumentation} already (Lincheck, JMH, Byte Buddy) and hands it out is stopped by the
 * allow-list alone, which refuses their APIs to student code.
 *
 * <p>This class is on the boot class path, so that the JDK's classes can call it; it uses only the
 * JDK. A refusal is a {@link SecurityException} whose message names what was refused the way the
 * Security Manager once did: {@code access denied ("java.io.FilePermission" "/proc/self/cmdline"
 * "read")}. This file holds the whole of the policy's judgement, rules and caller alike, so that
 * it is read in one sitting (and it is past 600 lines for that reason).
 */
public final class LabPolicy {

    /** The system property that lists the labs' class folders, separated by {@link File#pathSeparator}. */
    public static final String LAB_CODE = "storagelab.sandbox.labCode";
    /** The system property that lists the folders lab code may use, separated by {@link File#pathSeparator}. */
    public static final String FOLDERS = "storagelab.sandbox.folders";

    /** The frame through which Lincheck's instrumentation calls its model checker from the code it checks. */
    static final String LINCHECK_HOOKS = "sun.nio.ch.lincheck.Injections";

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

    /** The methods of {@code java.io.File} that change the file system. */
    public static final Set<String> FILE_WRITES = Set.of(
            "createNewFile",
            "delete",
            "deleteOnExit",
            "mkdir",
            "renameTo",
            "setLastModified",
            "setReadOnly",
            "setWritable",
            "setReadable",
            "setExecutable");

    /** The methods of {@code java.io.File} that read the file system. */
    public static final Set<String> FILE_READS = Set.of(
            "exists",
            "isDirectory",
            "isFile",
            "isHidden",
            "canRead",
            "canWrite",
            "canExecute",
            "lastModified",
            "length",
            "list",
            "normalizedList",
            "getTotalSpace",
            "getFreeSpace",
            "getUsableSpace",
            "getCanonicalPath");

    /** Linux's open(2) flags that make an open one that may change the file. */
    private static final int WRITING_FLAGS = 0x1 | 0x2 | 0x40 | 0x200 | 0x400; // WRONLY RDWR CREAT TRUNC APPEND

    private static volatile Config config;

    private static final StackWalker STACK = StackWalker.getInstance(
            EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_HIDDEN_FRAMES));

    private static final ClassValue<Boolean> LAB = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return config.isLabCode(type);
        }
    };

    /** Set while this class works: what it calls of the JDK is never checked again. */
    private static final ThreadLocal<Boolean> BUSY = new ThreadLocal<>();

    /** The threads lab code started, and those whose uncaught exception runs a handler lab code set. */
    private static final Marked LAB_THREADS = new Marked();

    /** The threads whose uncaught-exception handler lab code set (the handler acts as lab code when the JVM calls it). */
    private static final Marked LAB_HANDLED = new Marked();

    /** The fork-join pools lab code gave work to: their workers act as lab code. */
    private static final Marked LAB_POOLS = new Marked();

    private LabPolicy() {}

    /** What the policy was started with: the labs' class folders, the run's folders, the working directory. */
    private record Config(List<String> labCode, List<String> folders, String userDir) {
        boolean isLabCode(Class<?> type) {
            ProtectionDomain domain = type.getProtectionDomain();
            CodeSource source = domain == null ? null : domain.getCodeSource();
            URL location = source == null ? null : source.getLocation();
            if (location == null || !"file".equals(location.getProtocol())) {
                return false;
            }
            String path;
            try {
                path = new File(location.toURI()).getPath();
            } catch (URISyntaxException | IllegalArgumentException e) {
                return false;
            }
            String p = normalize(path, "/");
            return labCode.contains(p) || under(p, labCode);
        }
    }

    /** Whether the policy is in force in this JVM: its agent has put it in place. */
    public static boolean inForce() {
        return config != null;
    }

    /**
     * Starts the policy with the lists its JVM was given ({@value #LAB_CODE}, {@value #FOLDERS}).
     * Once only: a second call (from lab code or anyone) is refused.
     */
    public static synchronized void configure(String labCode, String folders, String userDir) {
        if (config != null) {
            throw new SecurityException("access denied: the policy is already in force");
        }
        hideFields();
        String dir = normalize(userDir, "/");
        config = new Config(paths(labCode, dir), paths(folders, dir), dir);
    }

    /**
     * Hides this class's fields from reflection, as the JDK hides its own most sensitive ones
     * ({@code jdk.internal.reflect.Reflection.registerFieldsToFilter}): {@code getDeclaredField}
     * finds none of them, so no {@code Field} of the policy's state exists for {@code
     * setAccessible} or {@code Unsafe} to work on. The agent has exported {@value #REFLECTION}'s
     * package to this class's module alone ({@link PolicyAgent#openTheJdkToThePolicy}).
     */
    private static void hideFields() {
        try {
            Class.forName(REFLECTION)
                    .getMethod("registerFieldsToFilter", Class.class, Set.class)
                    .invoke(null, LabPolicy.class, Set.of("*"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("the policy cannot hide its own state: " + e, e);
        }
    }

    /** The JDK's class that hides fields from reflection. */
    static final String REFLECTION = "jdk.internal.reflect.Reflection";

    private static List<String> paths(String list, String userDir) {
        List<String> out = new ArrayList<>();
        if (list != null) {
            for (String p : list.split(File.pathSeparator)) {
                if (!p.isBlank()) {
                    out.add(normalize(p, userDir));
                }
            }
        }
        return List.copyOf(out);
    }

    // --- the entry points' checks ---------------------------------------------------------------

    /** A file opened by name through {@code java.io} (a stream or a random-access file). */
    public static void open(String path, boolean write) {
        file(path, write);
    }

    /**
     * One of {@code java.io.File}'s methods on the file whose {@code path} field is {@code path}
     * ({@code args}: the method's arguments). A file given as an argument ({@code renameTo}'s) is
     * judged by its path only when it is a {@code java.io.File} itself: a subclass's {@code getPath}
     * may name another file than the one the native code uses.
     */
    public static void file(String path, String method, Object[] args) {
        Config c = config;
        if (c == null || Boolean.TRUE.equals(BUSY.get())) {
            return;
        }
        boolean write = FILE_WRITES.contains(method);
        file(path, write);
        if (args.length > 0 && args[0] instanceof File other) {
            if (other.getClass() == File.class) {
                file(other.getPath(), true);
            } else {
                refuse("java.io.FilePermission", "<<ALL FILES>>");
            }
        }
    }

    /**
     * One of the Unix file system's calls ({@code sun.nio.fs.UnixNativeDispatcher}, through which
     * every {@code java.nio.file} operation goes): {@code method} with {@code args}, a path being a
     * {@code UnixPath} (resolved against the working directory) or, for the calls relative to an
     * open directory ({@code openat}, ...), a name in bytes.
     */
    public static void unixCall(String method, Object[] args) {
        Config c = config;
        if (c == null || Boolean.TRUE.equals(BUSY.get())) {
            return;
        }
        switch (method) {
            case "open" -> file(String.valueOf(args[0]), (((Integer) args[1]) & WRITING_FLAGS) != 0);
            case "openat" -> relative(args[1], (((Integer) args[2]) & WRITING_FLAGS) != 0);
            case "link", "symlink" ->
                refuse("java.nio.file.LinkPermission", "symlink".equals(method) ? "symbolic" : "hard");
            case "unlink", "rmdir", "mkdir", "mknod", "chown", "lchown", "chmod", "utimes", "lutimes" ->
                file(String.valueOf(args[0]), true);
            case "rename" -> {
                file(String.valueOf(args[0]), true);
                file(String.valueOf(args[1]), true);
            }
            case "renameat" -> {
                relative(args[1], true);
                relative(args[3], true);
            }
            case "unlinkat" -> relative(args[1], true);
            case "fstatat" -> relative(args[1], false);
            case "fchmodat", "utimensat" -> relative(args[1], true);
            case "setmntent" -> relative(args[0], false);
            case "readlink", "realpath", "stat", "stat2", "lstat", "opendir", "access", "exists", "statvfs" ->
                file(String.valueOf(args[0]), false);
            default -> {
                // works on what is open already
            }
        }
    }

    /**
     * A call lab code may never make: {@code where} is the JDK's method ({@code java.lang.Runtime.halt}).
     * Where the JDK changes its own state on any thread's behalf (a worker thread's class loader, a
     * default set while it starts), the JDK's own call passes.
     */
    public static void call(String where) {
        if (config == null || Boolean.TRUE.equals(BUSY.get())) {
            return;
        }
        Refusal r = refusal(where);
        if (r.jdkMayCall() && calledByJdk()) {
            return;
        }
        if (labInCharge()) {
            throw denied(r.permission(), r.target(), r.action());
        }
    }

    /** How a refusal reads, and whether the JDK's own call of the method passes. */
    private record Refusal(String permission, String target, String action, boolean jdkMayCall) {
        Refusal(String permission, String target) {
            this(permission, target, null, false);
        }
    }

    private static Refusal refusal(String where) {
        int dot = where.lastIndexOf('.');
        String type = where.substring(0, dot);
        String method = where.substring(dot + 1);
        String runtime = "java.lang.RuntimePermission";
        return switch (type) {
            case "java.lang.Runtime", "java.lang.System" ->
                switch (method) {
                    case "exit", "halt" -> new Refusal(runtime, "exitVM");
                    case "addShutdownHook", "removeShutdownHook" -> new Refusal(runtime, "shutdownHooks");
                    case "load", "loadLibrary", "load0", "loadLibrary0" -> new Refusal(runtime, "loadLibrary");
                    case "setIn", "setOut", "setErr" -> new Refusal(runtime, "setIO");
                    case "setSecurityManager" -> new Refusal(runtime, "setSecurityManager");
                    default -> new Refusal("java.util.PropertyPermission", "*", "write", true);
                };
            case "java.lang.ProcessBuilder" ->
                method.equals("environment")
                        ? new Refusal(runtime, "getenv.*")
                        : new Refusal("java.io.FilePermission", "<<ALL FILES>>", "execute", false);
            case "sun.misc.Signal" -> new Refusal(runtime, "signal");
            case "java.lang.ProcessHandleImpl" -> new Refusal(runtime, "manageProcess");
            case "java.io.FileInputStream" -> new Refusal(runtime, "readFileDescriptor");
            case "java.io.FileOutputStream" -> new Refusal(runtime, "writeFileDescriptor");
            case "sun.nio.ch.Net", "sun.nio.ch.UnixDomainSockets" ->
                new Refusal("java.net.SocketPermission", "*", "connect,listen", false);
            case "java.net.InetAddress" -> new Refusal("java.net.SocketPermission", "*", "resolve", true);
            case "java.lang.Thread" -> new Refusal(runtime, method, null, true);
            case "java.util.Locale", "java.util.TimeZone" ->
                new Refusal("java.util.PropertyPermission", "user.language,user.timezone", "write", true);
            case "sun.instrument.InstrumentationImpl" -> new Refusal(runtime, "instrumentation");
            case "com.sun.tools.attach.VirtualMachine" ->
                new Refusal("com.sun.tools.attach.AttachPermission", "attachVirtualMachine");
            case "java.lang.management.ManagementFactory" ->
                new Refusal("java.lang.management.ManagementPermission", "monitor");
            default -> new Refusal(runtime, "enableNativeAccess"); // the foreign function API
        };
    }

    /** Refuses what lab code asked for, when lab code is in charge. */
    private static void refuse(String permission, String target) {
        if (config != null && !Boolean.TRUE.equals(BUSY.get()) && labInCharge()) {
            throw denied(permission, target, null);
        }
    }

    /** A class loader's construction: refused to lab code (the JDK's reflection makes its own in a {@code doPrivileged}). */
    public static void classLoader() {
        if (config != null && !Boolean.TRUE.equals(BUSY.get()) && labInCharge()) {
            throw denied("java.lang.RuntimePermission", "createClassLoader", null);
        }
    }

    /** {@code System.getProperty(key)} and its kin ({@code key} null: every property at once). */
    public static void readProperty(String key) {
        if (config == null || Boolean.TRUE.equals(BUSY.get()) || (key != null && READABLE.contains(key))) {
            return;
        }
        if (!calledByJdk() && labInCharge()) {
            throw denied("java.util.PropertyPermission", key == null ? "*" : key, "read");
        }
    }

    /** {@code System.getenv(name)} ({@code name} null: the whole environment). */
    public static void readEnvironment(String name) {
        if (config != null && !Boolean.TRUE.equals(BUSY.get()) && !calledByJdk() && labInCharge()) {
            throw denied("java.lang.RuntimePermission", "getenv." + (name == null ? "*" : name), null);
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
        if (!on || config == null || Boolean.TRUE.equals(BUSY.get())) {
            return;
        }
        boolean policy = ofPolicy(member);
        if (args.length == 2 && args[0] instanceof Object[] members) {
            for (Object m : members) {
                policy |= ofPolicy(m);
            }
        }
        if (policy || (!calledByJdk() && labInCharge())) {
            throw denied("java.lang.reflect.ReflectPermission", "suppressAccessChecks", null);
        }
    }

    /** {@code MethodHandles.privateLookupIn(target, caller)}: a lookup past the access checks of {@code target}. */
    public static void privateLookup(Class<?> target) {
        if (config == null || Boolean.TRUE.equals(BUSY.get())) {
            return;
        }
        if ((target != null && isPolicyClass(target)) || (!calledByJdk() && labInCharge())) {
            throw denied("java.lang.reflect.ReflectPermission", "suppressAccessChecks", null);
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
        return declaring != null && isPolicyClass(declaring);
    }

    /** The policy's classes, in whatever class loader: this one on the boot class path, the agent's, the installer's. */
    private static boolean isPolicyClass(Class<?> c) {
        return c.getName().startsWith(POLICY_PACKAGE);
    }

    private static final String POLICY_PACKAGE = "dev.storagelab.grader.policy.";

    // --- threads and callbacks ------------------------------------------------------------------

    /**
     * A thread made ({@code Thread}'s constructor, at its end) or started: lab code's for life
     * when lab code is in charge, or when the thread that makes or starts it is lab code's.
     */
    public static void thread(Thread made) {
        if (config == null || Boolean.TRUE.equals(BUSY.get()) || LAB_THREADS.contains(made)) {
            return;
        }
        if (labInCharge()) {
            LAB_THREADS.add(made);
        }
    }

    /** {@code thread.setUncaughtExceptionHandler(handler)}: set by lab code, the handler acts as lab code. */
    public static void uncaughtHandler(Thread thread) {
        if (config == null || Boolean.TRUE.equals(BUSY.get())) {
            return;
        }
        if (labInCharge()) {
            LAB_HANDLED.add(thread);
        } else {
            LAB_HANDLED.remove(thread);
        }
    }

    /**
     * The JVM calls {@code thread}'s uncaught-exception handler, as the thread ends: from here on
     * the thread is lab code's if the handler is one lab code set.
     */
    public static void uncaught(Thread thread) {
        if (config != null && LAB_HANDLED.contains(thread)) {
            LAB_THREADS.add(thread);
        }
    }

    /**
     * Work given to a fork-join pool ({@code pool}; null: the common pool, where a task forked
     * outside any pool goes): given by lab code, every worker of the pool acts as lab code from
     * then on, whatever task it runs.
     */
    public static void poolWork(Object pool) {
        if (config == null || Boolean.TRUE.equals(BUSY.get())) {
            return;
        }
        Object given = pool;
        if (given == null) { // a fork: into the pool of the worker that forks, or the common pool
            given = java.util.concurrent.ForkJoinTask.getPool();
            if (given == null) {
                given = java.util.concurrent.ForkJoinPool.commonPool();
            }
        }
        if (!LAB_POOLS.contains(given) && labInCharge()) {
            LAB_POOLS.add(given);
        }
    }

    /** Whether the current thread is lab code's: started by lab code, or a worker of a pool lab code gave work to. */
    private static boolean labThread() {
        Thread t = Thread.currentThread();
        if (LAB_THREADS.contains(t)) {
            return true;
        }
        // (the JDK's own answer of the current worker's pool: no subclass's getPool is called)
        Object pool = java.util.concurrent.ForkJoinTask.getPool();
        return pool != null && LAB_POOLS.contains(pool);
    }

    /**
     * A set of objects by identity, holding them weakly: {@code hashCode} and {@code equals} of a
     * lab class (a subclass of {@code Thread}) are never called.
     */
    private static final class Marked {
        private final java.util.Map<Integer, List<java.lang.ref.WeakReference<Object>>> byHash =
                new java.util.HashMap<>();
        private int added;

        synchronized boolean contains(Object o) {
            List<java.lang.ref.WeakReference<Object>> refs = byHash.get(System.identityHashCode(o));
            if (refs != null) {
                for (java.lang.ref.WeakReference<Object> r : refs) {
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
                for (Iterator<List<java.lang.ref.WeakReference<Object>>> it =
                                byHash.values().iterator();
                        it.hasNext(); ) {
                    List<java.lang.ref.WeakReference<Object>> refs = it.next();
                    remove(refs, null);
                    if (refs.isEmpty()) {
                        it.remove();
                    }
                }
            }
            Integer hash = System.identityHashCode(o);
            List<java.lang.ref.WeakReference<Object>> refs = byHash.get(hash);
            if (refs == null) {
                refs = new ArrayList<>(1);
                byHash.put(hash, refs);
            }
            refs.add(new java.lang.ref.WeakReference<>(o));
        }

        synchronized void remove(Object o) {
            List<java.lang.ref.WeakReference<Object>> refs = byHash.get(System.identityHashCode(o));
            if (refs != null) {
                remove(refs, o);
            }
        }

        /** Removes {@code o} and every collected reference from {@code refs}. */
        private static void remove(List<java.lang.ref.WeakReference<Object>> refs, Object o) {
            for (Iterator<java.lang.ref.WeakReference<Object>> it = refs.iterator(); it.hasNext(); ) {
                Object held = it.next().get();
                if (held == null || held == o) {
                    it.remove();
                }
            }
        }
    }

    // --- the decisions ------------------------------------------------------------------------------

    private static void file(String path, boolean write) {
        Config c = config;
        if (c == null || Boolean.TRUE.equals(BUSY.get())) {
            return;
        }
        BUSY.set(Boolean.TRUE);
        try {
            String p = normalize(path, c.userDir());
            // the run's folders: the folder itself to read (list it, sync it), everything inside it
            if (under(p, c.folders()) || (!write && c.folders().contains(p))) {
                return;
            }
            if (labInCharge()) {
                throw denied("java.io.FilePermission", p, write ? "write" : "read");
            }
        } finally {
            BUSY.remove();
        }
    }

    /** A name relative to an open directory: it may not climb out of it ({@code ..}), and an absolute one is a path. */
    private static void relative(Object name, boolean write) {
        String n = name instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(name);
        if (n.startsWith("/")) {
            file(n, write);
        } else if (("/" + n + "/").contains("/../")) {
            refuse("java.io.FilePermission", n);
        }
    }

    private static SecurityException denied(String permission, String target, String action) {
        return new SecurityException("access denied (\"" + permission + "\" \"" + target + "\""
                + (action == null ? "" : " \"" + action + "\"") + ")");
    }

    /**
     * Whether lab code is on this thread's stack above the nearest place where the JDK works on its
     * own behalf, or, with no such place on the stack, whether this thread is lab code's.
     */
    private static boolean labInCharge() {
        boolean wasBusy = Boolean.TRUE.equals(BUSY.get());
        BUSY.set(Boolean.TRUE);
        try {
            return STACK.walk(frames -> {
                boolean privileged = false;
                for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
                    StackWalker.StackFrame f = it.next();
                    Class<?> c = f.getDeclaringClass();
                    if (c == LabPolicy.class) {
                        continue;
                    }
                    if (LAB.get(c)) {
                        return true;
                    }
                    if (privileged) {
                        return false; // trusted code's doPrivileged
                    }
                    if (!isJdk(c)) {
                        continue;
                    }
                    String name = c.getName();
                    String method = f.getMethodName();
                    if (name.equals(LINCHECK_HOOKS)) {
                        return false;
                    }
                    if (name.equals("java.security.AccessController")) {
                        // one given the caller's context (java.beans.Statement's, an
                        // executor's privileged callable) keeps the caller's restrictions, as the
                        // Security Manager did: only a doPrivileged of the code's own is a boundary
                        privileged = method.startsWith("doPrivileged")
                                && !f.getDescriptor().contains("Ljava/security/AccessControlContext;");
                    } else if (method.equals("<clinit>")
                            || name.startsWith("java.util.ServiceLoader")
                            || (ClassLoader.class.isAssignableFrom(c) && isLoading(method))) {
                        return false;
                    }
                }
                return labThread();
            });
        } finally {
            if (!wasBusy) {
                BUSY.remove();
            }
        }
    }

    private static boolean isLoading(String method) {
        return method.equals("loadClass") || method.equals("loadClassOrNull") || method.equals("findClass");
    }

    /**
     * Whether the call being checked was made by a JDK class itself: its real caller is the JDK's
     * (not {@code System}, {@code AccessibleObject} and the other classes whose entry points are
     * checked, not reflection's or method handles' machinery, and not the few JDK methods that read
     * a property the caller names, such as {@code Integer.getInteger}).
     */
    private static boolean calledByJdk() {
        Class<?> c = realCaller();
        return c != null && isJdk(c) && !LAB.get(c) && !NAMED_BY_CALLER.contains(c.getName());
    }

    /**
     * The class that called the entry point being checked, as {@code Reflection.getCallerClass}
     * would answer: the first frame past this class, the entry point's own class and the classes
     * whose entry points are checked, that is no frame of reflection's or method handles' machinery
     * ({@link #isMachinery}). Null when there is none.
     */
    private static Class<?> realCaller() {
        boolean wasBusy = Boolean.TRUE.equals(BUSY.get());
        BUSY.set(Boolean.TRUE);
        try {
            return STACK.walk(frames -> {
                Class<?> entry = null;
                for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
                    Class<?> c = it.next().getDeclaringClass();
                    if (c == LabPolicy.class) {
                        continue;
                    }
                    if (entry == null) {
                        entry = c; // the checked method itself
                        continue;
                    }
                    if (c == entry || isCheckedEntry(c) || isMachinery(c)) {
                        continue;
                    }
                    return c;
                }
                return null;
            });
        } finally {
            if (!wasBusy) {
                BUSY.remove();
            }
        }
    }

    /** JDK methods that read a property or variable whose name their caller gives. */
    private static final Set<String> NAMED_BY_CALLER =
            Set.of("java.lang.Integer", "java.lang.Long", "java.lang.Boolean");

    /** The JDK's classes whose entry points are checked, whose own frames lead to the caller. */
    private static boolean isCheckedEntry(Class<?> c) {
        return CHECKED_ENTRIES.contains(c.getName()) && isJdk(c);
    }

    private static final Set<String> CHECKED_ENTRIES = Set.of(
            "java.lang.System",
            "java.lang.reflect.AccessibleObject",
            "java.lang.reflect.Executable",
            "java.lang.reflect.Field",
            "java.lang.reflect.Method",
            "java.lang.reflect.Constructor",
            "java.lang.invoke.MethodHandles",
            "java.lang.invoke.MethodHandles$Lookup");

    /**
     * Whether {@code c} only passes a call on, for someone else: reflection's machinery ({@code
     * Method.invoke}, {@code Constructor.newInstance} and the accessors of {@code
     * jdk.internal.reflect}, generated ones among them, which JDK 17 loads in class loaders of their
     * own), method handles' ({@code java.lang.invoke}: lambda forms, invokers, bound callers), the
     * JDK's hidden classes (lambda forms, the proxies of {@code MethodHandleProxies}) and dynamic
     * proxies (which pass every call to their handler).
     */
    private static boolean isMachinery(Class<?> c) {
        if (LAB.get(c)) {
            return false;
        }
        String n = c.getName();
        if (c.isHidden() || n.startsWith("java.lang.invoke.")) {
            return isJdk(c);
        }
        if (n.equals("java.lang.reflect.Method") || n.equals("java.lang.reflect.Constructor")) {
            return isJdk(c);
        }
        if (n.startsWith("jdk.internal.reflect.") && n.contains("Accessor")) {
            ClassLoader loader = c.getClassLoader();
            return loader == null || loader == PLATFORM || isJdk(loader.getClass());
        }
        return java.lang.reflect.Proxy.isProxyClass(c);
    }

    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    private static boolean isJdk(Class<?> c) {
        ClassLoader loader = c.getClassLoader();
        return loader == null || loader == PLATFORM;
    }

    // --- paths ------------------------------------------------------------------------------------

    /** Whether {@code path} is strictly inside one of {@code folders}. */
    private static boolean under(String path, List<String> folders) {
        for (String f : folders) {
            if (path.length() > f.length()
                    && path.startsWith(f)
                    && (f.endsWith("/") || path.charAt(f.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code path} made absolute against {@code dir} and normalised as the kernel would walk it
     * without links: no {@code .}, {@code ..}, repeated or trailing separators.
     */
    static String normalize(String path, String dir) {
        String p = path.startsWith("/") ? path : dir + "/" + path;
        List<String> names = new ArrayList<>();
        for (String name : p.split("/")) {
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!names.isEmpty()) {
                    names.remove(names.size() - 1);
                }
            } else {
                names.add(name);
            }
        }
        return "/" + String.join("/", names);
    }
}
