package dev.storagelab.grader.policy;

/**
 * How a refusal of the policy reads, the way the Security Manager's once did ({@code access denied
 * ("java.io.FilePermission" "/proc/self/cmdline" "read")}), and, for a method lab code may never
 * call, whether the JDK's own call of it passes.
 */
record Refusal(String permission, String target, String action, boolean jdkMayCall) {

    Refusal(String permission, String target) {
        this(permission, target, null, false);
    }

    /** The refusal of a call lab code may never make, {@code where} naming the JDK's method ({@code java.lang.Runtime.halt}). */
    static Refusal of(String where) {
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

    /** This refusal, to throw. */
    SecurityException exception() {
        return denied(permission, target, action);
    }

    /** A refusal of {@code permission} on {@code target} ({@code action}: none when null), to throw. */
    static SecurityException denied(String permission, String target, String action) {
        return new SecurityException("access denied (\"" + permission + "\" \"" + target + "\""
                + (action == null ? "" : " \"" + action + "\"") + ")");
    }
}
