package dev.storagelab.grader.policy;

import java.lang.reflect.Proxy;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Who is in charge of a call the policy checks: lab code, or the JDK working on its own behalf.
 *
 * <p>A call is lab code's when a lab class is on the calling thread's stack above the nearest place
 * where the JDK works on its own behalf: a class loader loading a class, a JDK class's static
 * initialiser, a service loader, a {@code doPrivileged} of trusted code (not one given its caller's
 * context, as {@code java.beans.Statement} does), and Lincheck's instrumentation hooks ({@value
 * #LINCHECK_HOOKS}: its model checker reflects on the objects lab code holds while that code is
 * still below). So a given class that opens files by name, called from student code, is held to the
 * same folders. With no such place and no lab frame on the stack, the call is lab code's when its
 * thread is ({@link Marked}).
 *
 * <p>Reading a property, the environment, or making a member accessible is lab code's only when a
 * JDK class did not make the call itself: the JDK reads its own settings, and opens its own
 * members, on any thread. Who made the call is its <em>real caller</em>, what {@code
 * Reflection.getCallerClass} would answer: the first frame past the entry point that is neither
 * reflection's machinery ({@code Method.invoke}, its accessors) nor method handles' ({@code
 * java.lang.invoke}, the JDK's hidden classes, dynamic proxies), so a reflective call or a method
 * handle is judged as the class that made it. Lambdas and method references count as the class
 * that wrote them (their hidden frames are walked too). The policy's own frames are never anyone's.
 */
final class Callers {

    /** The frame through which Lincheck's instrumentation calls its model checker from the code it checks. */
    static final String LINCHECK_HOOKS = "sun.nio.ch.lincheck.Injections";

    private static final String POLICY_PACKAGE = "dev.storagelab.grader.policy.";

    private static final StackWalker STACK = StackWalker.getInstance(
            EnumSet.of(StackWalker.Option.RETAIN_CLASS_REFERENCE, StackWalker.Option.SHOW_HIDDEN_FRAMES));

    private static final ClassValue<Boolean> LAB = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            return PolicyConfig.current().isLabCode(type);
        }
    };

    /** Set while the policy works: what it calls of the JDK is never checked again. */
    static final ThreadLocal<Boolean> BUSY = new ThreadLocal<>();

    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    /** JDK methods that read a property or variable whose name their caller gives. */
    private static final Set<String> NAMED_BY_CALLER =
            Set.of("java.lang.Integer", "java.lang.Long", "java.lang.Boolean");

    /** The JDK's classes whose entry points are checked, whose own frames lead to the caller. */
    private static final Set<String> CHECKED_ENTRIES = Set.of(
            "java.lang.System",
            "java.lang.reflect.AccessibleObject",
            "java.lang.reflect.Executable",
            "java.lang.reflect.Field",
            "java.lang.reflect.Method",
            "java.lang.reflect.Constructor",
            "java.lang.invoke.MethodHandles",
            "java.lang.invoke.MethodHandles$Lookup");

    private Callers() {}

    /** Whether the policy is at work on this thread: a call of the JDK it makes is not checked. */
    static boolean busy() {
        return Boolean.TRUE.equals(BUSY.get());
    }

    /**
     * Whether lab code is on this thread's stack above the nearest place where the JDK works on its
     * own behalf, or, with no such place on the stack, whether this thread is lab code's.
     */
    static boolean labInCharge() {
        boolean wasBusy = busy();
        BUSY.set(Boolean.TRUE);
        try {
            return STACK.walk(frames -> {
                boolean privileged = false;
                for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
                    StackWalker.StackFrame f = it.next();
                    Class<?> c = f.getDeclaringClass();
                    if (isOwn(c)) {
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
                return Marked.labThread();
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
    static boolean calledByJdk() {
        Class<?> c = realCaller();
        return c != null && isJdk(c) && !LAB.get(c) && !NAMED_BY_CALLER.contains(c.getName());
    }

    /**
     * The class that called the entry point being checked, as {@code Reflection.getCallerClass}
     * would answer: the first frame past the policy's, the entry point's own class and the classes
     * whose entry points are checked, that is no frame of reflection's or method handles' machinery
     * ({@link #isMachinery}). Null when there is none.
     */
    private static Class<?> realCaller() {
        boolean wasBusy = busy();
        BUSY.set(Boolean.TRUE);
        try {
            return STACK.walk(frames -> {
                Class<?> entry = null;
                for (Iterator<StackWalker.StackFrame> it = frames.iterator(); it.hasNext(); ) {
                    Class<?> c = it.next().getDeclaringClass();
                    if (isOwn(c)) {
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

    /** The JDK's classes whose entry points are checked, whose own frames lead to the caller. */
    private static boolean isCheckedEntry(Class<?> c) {
        return CHECKED_ENTRIES.contains(c.getName()) && isJdk(c);
    }

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
        return Proxy.isProxyClass(c);
    }

    private static boolean isJdk(Class<?> c) {
        ClassLoader loader = c.getClassLoader();
        return loader == null || loader == PLATFORM;
    }

    /** The policy's classes, in whatever class loader: those on the boot class path, the agent's, the installer's. */
    static boolean isPolicyClass(Class<?> c) {
        return c.getName().startsWith(POLICY_PACKAGE);
    }

    /** A class of this policy itself, on the boot class path (where no other class of its package is). */
    private static boolean isOwn(Class<?> c) {
        return c.getClassLoader() == null && isPolicyClass(c);
    }
}
