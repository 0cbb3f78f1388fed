package dev.storagelab.grader.policy;

import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isNative;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.io.FileDescriptor;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Executable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/**
 * Puts the policy's checks ({@link PolicyAdvice}, calling {@link LabPolicy}) at the top of the
 * JDK's entry points, in the classes already loaded and in those that load later (the attach API,
 * the management beans, the foreign function API). Loaded by {@link PolicyAgent} in a class loader
 * of its own with Byte Buddy, apart from the class path, whose Byte Buddy (Lincheck's) may be of
 * another version, in a JVM on another JDK than the one the grader rewrote the classes for, once,
 * by the same rules ({@link PolicyClassFiles}). Every entry point of the JDK's own base module must be found and rewritten, or
 * the agent fails and so does the JVM, before any lab code runs: a JVM never runs lab code with part
 * of the policy missing.
 */
public final class PolicyInstaller {

    private PolicyInstaller() {}

    /** One class's entry points: which methods get which advice, and the names that must exist in it. */
    record Rule(String type, boolean required, List<Point> points) {
        Rule with(ElementMatcher<? super MethodDescription> methods, Class<?> advice, String... names) {
            List<Point> more = new ArrayList<>(points);
            more.add(new Point(methods, advice, List.of(names)));
            return new Rule(type, required, more);
        }
    }

    record Point(ElementMatcher<? super MethodDescription> methods, Class<?> advice, List<String> names) {}

    /** The entry points {@code rule} names that are not among {@code declared}, the names of its class's methods ({@code <init>}: a constructor). */
    static List<String> missing(Rule rule, Set<String> declared) {
        List<String> missing = new ArrayList<>();
        for (Point p : rule.points()) {
            for (String n : p.names()) {
                if (!declared.contains(n)) {
                    missing.add(rule.type() + "." + n);
                }
            }
        }
        return missing;
    }

    /** Why the policy cannot run on this JDK, {@code missing} naming the entry points it lacks. */
    static IllegalStateException notInThisJdk(List<String> missing) {
        return new IllegalStateException("the lab policy cannot run on JDK " + Runtime.version()
                + ": these entry points are not in it: " + missing);
    }

    /** A class of the base module (always there: checked), or of another module (rewritten if it loads). */
    private static Rule rule(String type, boolean required) {
        return new Rule(type, required, List.of());
    }

    /** The methods named {@code names} that have code. */
    private static ElementMatcher.Junction<MethodDescription> methods(String... names) {
        return namedOneOf(names).and(not(isNative())).and(not(isAbstract()));
    }

    private static final String[] UNIX_CALLS = {
        "open",
        "openat",
        "link",
        "symlink",
        "unlink",
        "unlinkat",
        "rmdir",
        "mkdir",
        "mknod",
        "chown",
        "lchown",
        "chmod",
        "utimes",
        "lutimes",
        "rename",
        "renameat",
        "fstatat",
        "fchmodat",
        "utimensat",
        "readlink",
        "realpath",
        "stat",
        "stat2",
        "lstat",
        "opendir",
        "access",
        "exists",
        "statvfs"
    };

    private static String[] fileMethods() {
        List<String> all = new ArrayList<>(FileRules.FILE_READS);
        all.addAll(FileRules.FILE_WRITES);
        return all.toArray(new String[0]);
    }

    static List<Rule> rules() {
        Class<?> refused = PolicyAdvice.Refused.class;
        return List.of(
                rule("java.io.FileInputStream", true)
                        .with(named("open").and(takesArguments(String.class)), PolicyAdvice.OpenToRead.class, "open")
                        .with(isConstructor().and(takesArguments(FileDescriptor.class)), refused, "<init>"),
                rule("java.io.FileOutputStream", true)
                        .with(
                                named("open").and(takesArguments(String.class, boolean.class)),
                                PolicyAdvice.OpenToWrite.class,
                                "open")
                        .with(isConstructor().and(takesArguments(FileDescriptor.class)), refused, "<init>"),
                rule("java.io.RandomAccessFile", true)
                        .with(
                                named("open").and(takesArguments(String.class, int.class)),
                                PolicyAdvice.OpenRandomAccess.class,
                                "open"),
                rule("java.io.File", true)
                        .with(
                                methods(fileMethods()).and(not(isStatic())),
                                PolicyAdvice.FileMethod.class,
                                "exists",
                                "isDirectory",
                                "length",
                                "delete",
                                "list",
                                "mkdir",
                                "renameTo",
                                "createNewFile"),
                rule("sun.nio.fs.UnixNativeDispatcher", true)
                        .with(
                                methods(UNIX_CALLS).and(isStatic()),
                                PolicyAdvice.UnixCall.class,
                                "open",
                                "openat",
                                "stat",
                                "lstat",
                                "opendir",
                                "mkdir",
                                "unlink",
                                "rename",
                                "rmdir",
                                "access",
                                "realpath",
                                "readlink",
                                "symlink",
                                "link",
                                "chmod"),
                rule("sun.nio.fs.LinuxNativeDispatcher", false)
                        .with(methods("setmntent").and(isStatic()), PolicyAdvice.UnixCall.class),
                rule("java.lang.Runtime", true)
                        .with(
                                methods(
                                        "exit",
                                        "halt",
                                        "addShutdownHook",
                                        "removeShutdownHook",
                                        "load",
                                        "loadLibrary",
                                        "load0",
                                        "loadLibrary0"),
                                refused,
                                "exit",
                                "halt",
                                "addShutdownHook",
                                "load0",
                                "loadLibrary0"),
                rule("java.lang.System", true)
                        .with(methods("getProperty"), PolicyAdvice.Property.class, "getProperty")
                        .with(methods("getProperties"), PolicyAdvice.AllProperties.class, "getProperties")
                        .with(
                                methods("getenv").and(takesArguments(String.class)),
                                PolicyAdvice.Variable.class,
                                "getenv")
                        .with(methods("getenv").and(takesArguments(0)), PolicyAdvice.Environment.class)
                        .with(
                                methods(
                                        "setIn",
                                        "setOut",
                                        "setErr",
                                        "setProperty",
                                        "clearProperty",
                                        "setProperties",
                                        "setSecurityManager",
                                        "load",
                                        "loadLibrary"),
                                refused,
                                "setIn",
                                "setOut",
                                "setErr",
                                "setProperty",
                                "clearProperty",
                                "setProperties"),
                rule("java.lang.ProcessBuilder", true)
                        .with(methods("start", "startPipeline", "environment"), refused, "start", "environment"),
                rule("sun.misc.Signal", false).with(methods("handle", "raise"), refused),
                rule("java.lang.ProcessHandleImpl", true)
                        .with(
                                methods(
                                        "current",
                                        "get",
                                        "parent",
                                        "children",
                                        "descendants",
                                        "destroy",
                                        "destroyForcibly",
                                        "destroyProcess",
                                        "info"),
                                refused,
                                "current",
                                "get",
                                "parent",
                                "children",
                                "destroyProcess"),
                rule("sun.nio.ch.Net", true).with(methods("socket", "serverSocket"), refused, "socket", "serverSocket"),
                rule("sun.nio.ch.UnixDomainSockets", true).with(methods("socket"), refused, "socket"),
                rule("java.net.InetAddress", true)
                        .with(
                                methods(
                                        "getAllByName",
                                        "getByName",
                                        "getLocalHost",
                                        "getHostName",
                                        "getCanonicalHostName"),
                                refused,
                                "getAllByName",
                                "getByName",
                                "getLocalHost"),
                rule("java.lang.reflect.AccessibleObject", true)
                        .with(
                                methods("setAccessible", "trySetAccessible"),
                                PolicyAdvice.Accessible.class,
                                "setAccessible",
                                "trySetAccessible"),
                rule("java.lang.reflect.Field", true)
                        .with(methods("setAccessible"), PolicyAdvice.Accessible.class, "setAccessible"),
                rule("java.lang.reflect.Method", true)
                        .with(methods("setAccessible"), PolicyAdvice.Accessible.class, "setAccessible"),
                rule("java.lang.reflect.Constructor", true)
                        .with(methods("setAccessible"), PolicyAdvice.Accessible.class, "setAccessible"),
                rule("java.lang.invoke.MethodHandles", true)
                        .with(methods("privateLookupIn"), PolicyAdvice.PrivateLookup.class, "privateLookupIn"),
                rule("java.lang.ClassLoader", true).with(isConstructor(), PolicyAdvice.NewClassLoader.class, "<init>"),
                rule("java.lang.Thread", true)
                        .with(
                                methods("setDefaultUncaughtExceptionHandler", "setContextClassLoader"),
                                refused,
                                "setDefaultUncaughtExceptionHandler",
                                "setContextClassLoader")
                        // the constructors every other one ends in (a platform thread's, a virtual thread's)
                        .with(isConstructor().and(not(isPublic())), PolicyAdvice.ThreadMade.class, "<init>")
                        .with(methods("start").and(takesArguments(0)), PolicyAdvice.ThreadStarts.class, "start")
                        .with(
                                methods("setUncaughtExceptionHandler"),
                                PolicyAdvice.HandlerSet.class,
                                "setUncaughtExceptionHandler")
                        .with(
                                methods("dispatchUncaughtException"),
                                PolicyAdvice.Uncaught.class,
                                "dispatchUncaughtException"),
                rule("java.util.concurrent.ForkJoinPool", true)
                        .with(
                                methods(
                                                "execute",
                                                "submit",
                                                "invoke",
                                                "invokeAll",
                                                "invokeAny",
                                                "invokeAllUninterruptibly",
                                                "externalSubmit",
                                                "lazySubmit",
                                                "submitWithTimeout",
                                                "schedule",
                                                "scheduleAtFixedRate",
                                                "scheduleWithFixedDelay")
                                        .and(not(isStatic())),
                                PolicyAdvice.PoolWork.class,
                                "execute",
                                "submit",
                                "invoke"),
                rule("java.util.concurrent.ForkJoinTask", true).with(methods("fork"), PolicyAdvice.Fork.class, "fork"),
                rule("java.util.Locale", true).with(methods("setDefault"), refused, "setDefault"),
                rule("java.util.TimeZone", true).with(methods("setDefault"), refused, "setDefault"),
                rule("sun.instrument.InstrumentationImpl", true)
                        .with(
                                methods(
                                        "addTransformer",
                                        "retransformClasses",
                                        "redefineClasses",
                                        "appendToBootstrapClassLoaderSearch",
                                        "appendToSystemClassLoaderSearch",
                                        "setNativeMethodPrefix",
                                        "redefineModule"),
                                refused,
                                "addTransformer",
                                "retransformClasses",
                                "redefineClasses"),
                rule("com.sun.tools.attach.VirtualMachine", false).with(methods("attach"), refused),
                rule("java.lang.management.ManagementFactory", false)
                        .with(isPublic().and(isStatic()), refused),
                rule("java.lang.foreign.SymbolLookup", false).with(methods("libraryLookup"), refused),
                rule("jdk.internal.foreign.abi.AbstractLinker", false)
                        .with(methods("downcallHandle", "upcallStub"), refused),
                rule("jdk.internal.foreign.AbstractMemorySegmentImpl", false).with(methods("reinterpret"), refused));
    }

    /**
     * Starts {@link LabPolicy} with this JVM's lists and rewrites the entry points; throws when a
     * class of the base module, or a method the policy needs in it, is not where it should be, or
     * was not rewritten.
     */
    public static void install(Instrumentation instrumentation) throws ClassNotFoundException {
        List<Rule> rules = rules();
        List<String> missing = new ArrayList<>();
        List<Class<?>> loaded = new ArrayList<>();
        for (Rule r : rules) {
            if (r.required()) {
                Class<?> type = Class.forName(r.type(), false, null); // loaded now, so rewritten now
                loaded.add(type);
                Set<String> names = new java.util.HashSet<>();
                Arrays.stream(type.getDeclaredMethods())
                        .map(Executable::getName)
                        .forEach(names::add);
                if (type.getDeclaredConstructors().length > 0) {
                    names.add("<init>");
                }
                missing.addAll(missing(r, names));
            }
        }
        if (!missing.isEmpty()) {
            throw notInThisJdk(missing);
        }
        LabPolicy.configure(
                System.getProperty(LabPolicy.LAB_CODE),
                System.getProperty(LabPolicy.FOLDERS),
                System.getProperty("user.dir"));

        Set<String> rewritten = ConcurrentHashMap.newKeySet();
        List<String> errors = new CopyOnWriteArrayList<>();
        for (Rule r : rules) {
            if (!r.required()) {
                try {
                    Class<?> c = Class.forName(r.type(), false, null);
                    loaded.add(c);
                } catch (ClassNotFoundException | LinkageError e) {
                    // not in this JDK, or not loaded yet: rewritten when it loads
                }
            }
        }
        // Only the classes of the rules are looked at, those loaded now and those that load later.
        AgentBuilder builder = new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED))
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(new AgentBuilder.RedefinitionStrategy.DiscoveryStrategy.Explicit(loaded.toArray(new Class<?>[0])))
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(
                            TypeDescription type,
                            ClassLoader loader,
                            JavaModule module,
                            boolean loaded,
                            DynamicType dynamicType) {
                        rewritten.add(type.getName());
                    }

                    @Override
                    public void onError(
                            String type, ClassLoader loader, JavaModule module, boolean loaded, Throwable error) {
                        errors.add(type + ": " + error);
                    }
                })
                .ignore(not(namedOneOf(rules.stream().map(Rule::type).toArray(String[]::new))))
                .assureReadEdgeTo(instrumentation, LabPolicy.class);
        for (Rule r : rules) {
            builder = builder.type(named(r.type())).transform((b, type, loader, module, domain) -> {
                DynamicType.Builder<?> visited = b;
                for (Point p : r.points()) {
                    visited = visited.visit(Advice.to(p.advice()).on(p.methods()));
                }
                return visited;
            });
        }
        builder.installOn(instrumentation);
        for (Rule r : rules) {
            if (r.required() && !rewritten.contains(r.type())) {
                errors.add(r.type() + " was not rewritten");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the lab policy could not be put in place: " + errors);
        }
    }
}
