package dev.storagelab.grader.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.policy.PolicyJars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-JVM policy on this test's own JDK (17, 21 or 25 alike), rule by rule: a JVM with the
 * policy's flags runs {@link Probe}, whose class folder is named as lab code, and which tries each
 * power; the refusals and what must still work (its own folders, the JDK's own lazy work) are read
 * from what it prints. The hostile corpus proves the same through the grader ({@link
 * HostileSubmissionsCorpusTest}).
 */
class SandboxPolicyTest {

    @TempDir
    static Path tmp;

    private static Map<String, String> said;

    @BeforeAll
    static void probe() throws Exception {
        said = said(probe(tmp.resolve("probe"), false, null));
    }

    /**
     * Runs {@link Probe} in a JVM under the policy, its flags on the command line; with {@code
     * inherited}, in {@code JDK_JAVA_OPTIONS} too, as a JMH fork gets them (the launcher reads the
     * variable, and JMH passes on its own JVM's flags, which hold the variable's); with {@code
     * agent}, that agent's jar instead of the grader's.
     */
    private static Run probe(Path dir, boolean inherited, Path agent) throws Exception {
        Run run = probeRun(dir, inherited, agent);
        assertThat(run.out(), run.exit(), is(0));
        return run;
    }

    private static Run probeRun(Path dir, boolean inherited, Path agent) throws Exception {
        // the properties lab code may read, to read
        return underThePolicy(dir, inherited, agent, true, Probe.class, ClassScan.WORKSPACE_SWITCHES);
    }

    /**
     * Runs {@code main} with {@code args} in a JVM under the policy (see {@link #probe}), this test's
     * classes named as lab code or, without {@code labCode}, as a library's.
     */
    private static Run underThePolicy(
            Path dir, boolean inherited, Path agent, boolean labCode, Class<?> main, java.util.Collection<String> args)
            throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path scratch = Files.createDirectories(dir.resolve("tmp"));
        String classes = probeClasses();
        List<SandboxPolicy.Entry> classpath = List.of(new SandboxPolicy.Entry(classes, labCode));
        List<String> flags = SandboxPolicy.flags(classpath, List.of(work, scratch));
        String graders = flags.get(0).substring("-javaagent:".length());
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
        flags.forEach(f -> cmd.add(agent == null ? f : f.replace(graders, agent.toString())));
        cmd.addAll(List.of("-Djava.io.tmpdir=" + scratch, "-cp", classes, main.getName()));
        cmd.addAll(args);
        return run(cmd, work, inherited ? SandboxPolicy.javaOptions(classpath, List.of(work, scratch)) : null);
    }

    private static Map<String, String> said(Run run) {
        Map<String, String> lines = new LinkedHashMap<>();
        run.out()
                .lines()
                // not the launcher's note, nor the JVM's warnings (on JDK 24 on, of Byte Buddy's use of Unsafe)
                .filter(l -> l.contains(": ")
                        && !l.startsWith("NOTE: Picked up JDK_JAVA_OPTIONS")
                        && !l.startsWith("WARNING: "))
                .forEach(l -> lines.put(l.substring(0, l.indexOf(": ")), l.substring(l.indexOf(": ") + 2)));
        return lines;
    }

    private record Run(int exit, String out) {}

    /** The classes of the policy's jar on the boot class path, beside the agent's jar {@code agent}. */
    private static List<String> bootClasses(Path agent) throws IOException {
        List<String> names = new ArrayList<>();
        try (java.util.jar.JarFile jar =
                new java.util.jar.JarFile(agent.resolveSibling(PolicyJars.BOOT).toFile())) {
            jar.stream()
                    .map(java.util.jar.JarEntry::getName)
                    .filter(n -> n.endsWith(".class"))
                    .forEach(n -> names.add(
                            n.substring(0, n.length() - ".class".length()).replace('/', '.')));
        }
        return names;
    }

    /** The class folder of {@link Probe} (this test's classes), named as lab code in the probing JVM. */
    private static String probeClasses() throws java.net.URISyntaxException {
        return Path.of(Probe.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .toString();
    }

    private static Run run(List<String> cmd, Path dir, String javaOptions) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("JDK_JAVA_OPTIONS");
        if (javaOptions != null) {
            pb.environment().put("JDK_JAVA_OPTIONS", javaOptions);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out, p.waitFor(2, TimeUnit.MINUTES), is(true));
        return new Run(p.exitValue(), out);
    }

    /** How {@link Probe} makes each call: directly, through {@code Method.invoke}, through a method handle. */
    static final List<String> FORMS = List.of("", " (Method.invoke)", " (a method handle)");

    /** Refused in every form, with {@code permission}. */
    private static void refused(String attempt, String permission) {
        refused(said, attempt, permission);
    }

    /** Refused in every form, with {@code permission}, as {@code said} says. */
    private static void refused(Map<String, String> said, String attempt, String permission) {
        for (String form : FORMS) {
            assertThat(attempt + form + " was tried", said.containsKey(attempt + form), is(true));
            assertThat(
                    attempt + form,
                    said.get(attempt + form),
                    containsString("SecurityException: access denied (" + permission));
        }
    }

    /** Allowed in every form it was tried in. */
    private static void allowed(String attempt) {
        allowed(said, attempt);
    }

    /** Allowed in every form it was tried in, as {@code said} says. */
    private static void allowed(Map<String, String> said, String attempt) {
        assertThat(attempt + " was tried", said.containsKey(attempt), is(true));
        for (String form : FORMS) {
            if (said.containsKey(attempt + form)) {
                assertThat(attempt + form, said.get(attempt + form), is("ok"));
            }
        }
    }

    /** Failed in every form with {@code failure} (not a refusal of the policy: a wall of the JDK's). */
    private static void failed(String attempt, String failure) {
        for (String form : FORMS) {
            assertThat(attempt + form + " was tried", said.containsKey(attempt + form), is(true));
            assertThat(attempt + form, said.get(attempt + form), containsString(failure));
        }
    }

    @Test
    void thePolicyStandsOnThisJdkUnlessTurnedOff() {
        assertThat(
                SandboxPolicy.describe(),
                SandboxPolicy.available() || "off".equalsIgnoreCase(System.getenv("STORAGELAB_SANDBOX")),
                is(true));
    }

    @Test
    void labCodeUsesFilesOnlyInItsOwnFolders() {
        allowed("a file in its temp folder");
        allowed("a file in its working folder, by a relative name");
        allowed("syncing its temp folder");
        refused("the command line", "\"java.io.FilePermission\" \"/proc/self/cmdline\" \"read\"");
        refused("a folder anyone may write to", "\"java.io.FilePermission\" \"/run/lock/storagelab-probe\" \"write\"");
        refused("out of its folder by ..", "\"java.io.FilePermission\"");
        refused("java.io.File on another folder", "\"java.io.FilePermission\" \"/etc\" \"read\"");
        refused("a stream on a file descriptor", "\"java.lang.RuntimePermission\" \"writeFileDescriptor\"");
        refused("a link out of its folder", "\"java.nio.file.LinkPermission\" \"symbolic\"");
        refused("the class path", "\"java.io.FilePermission\"");
    }

    @Test
    void labCodeStartsNoProcessExitsNothingAndOpensNoSocket() {
        refused("a process", "\"java.io.FilePermission\" \"<<ALL FILES>>\" \"execute\"");
        refused("its own process handle", "\"java.lang.RuntimePermission\" \"manageProcess\"");
        refused("exit", "\"java.lang.RuntimePermission\" \"exitVM\"");
        refused("halt", "\"java.lang.RuntimePermission\" \"exitVM\"");
        refused("a shutdown hook", "\"java.lang.RuntimePermission\" \"shutdownHooks\"");
        refused("a socket", "\"java.net.SocketPermission\"");
        refused("a Unix-domain socket", "\"java.net.SocketPermission\"");
        refused("a name lookup", "\"java.net.SocketPermission\" \"*\" \"resolve\"");
        refused("a native library", "\"java.lang.RuntimePermission\" \"loadLibrary\"");
    }

    @Test
    void labCodeReadsOnlyHarmlessPropertiesAndCannotReachPastAccessChecks() {
        allowed("the OS's name");
        for (String name : ClassScan.WORKSPACE_SWITCHES) {
            allowed("the workspace switch " + name);
        }
        refused("the command line's property", "\"java.util.PropertyPermission\" \"sun.java.command\" \"read\"");
        refused("every property", "\"java.util.PropertyPermission\" \"*\" \"read\"");
        refused("a property set", "\"java.util.PropertyPermission\"");
        refused("the environment", "\"java.lang.RuntimePermission\" \"getenv.PATH\"");
        refused("the environment through a process builder", "\"java.lang.RuntimePermission\" \"getenv.*\"");
        refused("a private field", "\"java.lang.reflect.ReflectPermission\" \"suppressAccessChecks\"");
        refused("a private lookup", "\"java.lang.reflect.ReflectPermission\" \"suppressAccessChecks\"");
        refused("a class loader", "\"java.lang.RuntimePermission\" \"createClassLoader\"");
        refused("standard output replaced", "\"java.lang.RuntimePermission\" \"setIO\"");
        refused("a method reference to the environment", "\"java.lang.RuntimePermission\" \"getenv.*\"");
        refused("the management beans", "\"java.lang.management.ManagementPermission\"");
    }

    /**
     * The JDK's own invokers call what lab code names: {@code java.beans.Expression} (through its
     * trampoline, in a class loader of its own), {@code MethodHandleProxies}' proxies, a method
     * handle's {@code invoke}. Each is judged as lab code's call, not as the JDK's.
     */
    @Test
    void theRealCallerIsFoundPastTheJdksInvokers() {
        refused("the environment through java.beans.Expression", "\"java.lang.RuntimePermission\" \"getenv.PATH\"");
        refused(
                "the environment through a proxy of a method handle",
                "\"java.lang.RuntimePermission\" \"getenv.PATH\"");
        refused(
                "the command line's property by MethodHandle.invoke",
                "\"java.util.PropertyPermission\" \"sun.java.command\" \"read\"");
    }

    /**
     * The policy's own state, past every access check: its fields are hidden from reflection, and a
     * member of a policy class is never made accessible, whoever asks; so the attack that switched
     * the policy off (a {@code setAccessible} on the field that holds its configuration, {@code
     * PolicyConfig.current}, through {@code Method.invoke}) finds nothing to work on, and a method
     * handle on that field is refused by the JDK's own access check.
     */
    @Test
    void thePolicysOwnStateIsOutOfReachPastEveryAccessCheck() {
        failed("the policy switched off through its state", "java.lang.NoSuchFieldException: current");
        refused(
                "a member of the policy made accessible",
                "\"java.lang.reflect.ReflectPermission\" \"suppressAccessChecks\"");
        failed("the policy's state by a method handle", "java.lang.IllegalAccessException");
    }

    /**
     * Every class the policy's jar puts on the boot class path is there in a JVM under the policy
     * (none left to load from elsewhere), with its fields hidden from reflection; none of its
     * members is made accessible, nor a private lookup in it given, in any form, whoever asks: lab
     * code, or a class that is not lab code (a library's, the runner's), which may make its own
     * private members accessible.
     */
    @Test
    void everyClassOfThePolicyIsOnTheBootClassPathAndClosedToWhoeverAsks() throws Exception {
        String agent = SandboxPolicy.flags(List.of(), List.of()).get(0).substring("-javaagent:".length());
        List<String> classes = bootClasses(Path.of(agent));
        assertThat(classes, hasItem("dev.storagelab.grader.policy.LabPolicy"));
        String suppress = "\"java.lang.reflect.ReflectPermission\" \"suppressAccessChecks\"";
        for (boolean labCode : List.of(true, false)) {
            Path dir = tmp.resolve(labCode ? "reach-as-lab-code" : "reach-as-a-library");
            Run run = underThePolicy(dir, false, null, labCode, PolicyReach.class, classes);
            assertThat(run.out(), run.exit(), is(0));
            Map<String, String> reach = said(run);
            if (labCode) {
                refused(reach, PolicyReach.OWN, suppress);
            } else {
                allowed(reach, PolicyReach.OWN);
            }
            for (String name : classes) {
                String simple = name.substring(name.lastIndexOf('.') + 1);
                allowed(reach, "the policy's " + simple + ", on the boot class path");
                allowed(reach, "the fields of the policy's " + simple + ", listed");
                refused(reach, "a member of the policy's " + simple + " made accessible", suppress);
                refused(reach, "a private lookup in the policy's " + simple, suppress);
            }
        }
    }

    @Test
    void aSubclassOfFileCannotNameAnotherFileThanItsOwn() {
        refused("a subclass of java.io.File that names another file", "\"java.io.FilePermission\" \"/etc\" \"read\"");
    }

    /**
     * What lab code installs acts as lab code wherever the JVM runs it: a library's uncaught-exception
     * handler, task, timer task, cleaning action and thread factory (not lab code: their classes
     * come from a folder of their own, before the lab's), each trying {@code System.exit} and
     * {@code Runtime.halt} where the JVM, a pool or a thread of the runner's calls it with no lab
     * frame on the stack. The runner (also not lab code) ends its JVM itself, as the grader's does.
     */
    @Test
    void nothingLabCodeInstallsCanEndTheJvm() throws Exception {
        Path dir = tmp.resolve("callbacks");
        Path work = Files.createDirectories(dir.resolve("work"));
        Path scratch = Files.createDirectories(dir.resolve("tmp"));
        String classes = probeClasses();
        // the library's classes, copied where the class path finds them first, and not lab code
        Path library = Files.createDirectories(dir.resolve("library"));
        for (Class<?> c : List.of(Ender.class, Runner.class)) {
            Path file = Path.of(c.getName().replace('.', '/') + ".class");
            Files.createDirectories(library.resolve(file).getParent());
            Files.copy(Path.of(classes).resolve(file), library.resolve(file));
        }
        List<SandboxPolicy.Entry> classpath =
                List.of(new SandboxPolicy.Entry(library.toString(), false), new SandboxPolicy.Entry(classes, true));
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
        cmd.addAll(SandboxPolicy.flags(classpath, List.of(work, scratch)));
        cmd.addAll(List.of(
                "-Djava.io.tmpdir=" + scratch,
                "-cp",
                library + java.io.File.pathSeparator + classes,
                Runner.class.getName()));
        Run run = run(cmd, work, null);
        Map<String, String> ended = said(run);
        String refusal = "java.lang.SecurityException: access denied (\"java.lang.RuntimePermission\" \"exitVM\")";
        for (String installed : Callbacks.INSTALLED) {
            assertThat(installed + " was run: " + run.out(), ended.containsKey(installed), is(true));
            assertThat(installed, ended.get(installed), is("exit: " + refusal + "; halt: " + refusal));
        }
        assertThat("the runner ended its JVM itself: " + run.out(), ended.get("the runner"), is("halts"));
        assertThat(run.out(), run.exit(), is(0));
    }

    @Test
    void whatTheJdkDoesOnItsOwnBehalfStillWorksForLabCode() {
        allowed("an enum by name");
        allowed("formatting with the default locale and time zone");
        allowed("a parallel stream");
        allowed("a new thread");
        allowed("a random UUID");
        allowed("a charset by name");
        allowed("a lambda that does its work");
    }

    @Test
    void onTheGradersJdkTheWholePolicyStandsWithoutByteBuddy() throws Exception {
        Path jars = PolicyJars.write(tmp.resolve("no-installer"));
        Files.delete(jars.resolveSibling(PolicyJars.INSTALLER));
        Map<String, String> without = said(probe(tmp.resolve("no-installer-probe"), false, jars));
        assertThat("what is refused and what is allowed, with no Byte Buddy", verdicts(without), is(verdicts(said)));
        assertThat(
                without.get("the command line"),
                containsString("SecurityException: access denied (\"java.io.FilePermission\" \"/proc/self/cmdline\""));
    }

    @Test
    void onAnotherJdkTheAgentRewritesTheJdkWithByteBuddy() throws Exception {
        Path jars = PolicyJars.write(tmp.resolve("another-jdk"));
        madeForAnotherJdk(jars);
        Map<String, String> fallen = said(probe(tmp.resolve("another-jdk-probe"), false, jars));
        assertThat("what is refused and what is allowed, by Byte Buddy", verdicts(fallen), is(verdicts(said)));
        assertThat(fallen.get("the command line"), containsString("SecurityException: access denied ("));
    }

    @Test
    void aJvmOnAnotherJdkWhoseAgentCannotPutThePolicyInPlaceDoesNotStart() throws Exception {
        Path jars = PolicyJars.write(tmp.resolve("broken-agent"));
        madeForAnotherJdk(jars);
        Files.delete(jars.resolveSibling(PolicyJars.INSTALLER));
        Run run = probeRun(tmp.resolve("broken-agent-probe"), false, jars);
        assertThat(run.out(), run.exit(), not(is(0)));
        assertThat("no line of lab code ran", run.out(), not(containsString("the OS's name")));
    }

    @Test
    void aJvmWhoseStoredClassesAreDamagedDoesNotStart() throws Exception {
        for (String damage : List.of("missing", "truncated")) {
            Path jars = PolicyJars.write(tmp.resolve("damaged-" + damage));
            try (FileSystem jar = FileSystems.newFileSystem(jars)) {
                Path file = jar.getPath(PolicyJars.STORED + "java/io/File.class");
                if (damage.equals("missing")) {
                    Files.delete(file);
                } else {
                    byte[] classFile = Files.readAllBytes(file);
                    Files.write(file, Arrays.copyOf(classFile, classFile.length / 2));
                }
            }
            Run run = probeRun(tmp.resolve("damaged-" + damage + "-probe"), false, jars);
            assertThat(damage + ": " + run.out(), run.exit(), not(is(0)));
            assertThat(damage + ": no line of lab code ran", run.out(), not(containsString("the OS's name")));
        }
    }

    /** Makes the agent's stored classes read as made for another JDK than this one. */
    private static void madeForAnotherJdk(Path agent) throws IOException {
        try (FileSystem jar = FileSystems.newFileSystem(agent)) {
            Path jdk = jar.getPath(PolicyJars.STORED_JDK);
            Files.writeString(jdk, Files.readString(jdk).replace("version ", "version 1"));
        }
    }

    @Test
    void aJmhForkGivenThePolicyTwiceRunsUnderItOnce() throws Exception {
        Map<String, String> twice = said(probe(tmp.resolve("twice"), true, null));
        assertThat(
                "what is refused and what is allowed, with the flags given twice", verdicts(twice), is(verdicts(said)));
        assertThat(twice.get("the command line"), containsString("SecurityException: access denied ("));
    }

    private static Map<String, Boolean> verdicts(Map<String, String> said) {
        Map<String, Boolean> allowed = new LinkedHashMap<>();
        said.forEach((attempt, result) -> allowed.put(attempt, result.equals("ok")));
        return allowed;
    }

    /**
     * The last call of an attempt, made again through {@code Method.invoke} and through a method
     * handle of {@code MethodHandles.lookup()}: {@code name} a method of {@code owner}, or {@code
     * <init>} for a constructor; {@code receiver} null for a static method.
     */
    record Call(Class<?> owner, String name, Class<?>[] params, Object receiver, Object... args) {

        Object reflectively() throws Throwable {
            try {
                if (name.equals("<init>")) {
                    return owner.getConstructor(params).newInstance(args);
                }
                return owner.getMethod(name, params).invoke(receiver, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        }

        Object throughAMethodHandle() throws Throwable {
            java.lang.invoke.MethodHandles.Lookup lookup = java.lang.invoke.MethodHandles.lookup();
            List<Object> all = new ArrayList<>();
            java.lang.invoke.MethodHandle handle;
            if (name.equals("<init>")) {
                handle = lookup.findConstructor(owner, java.lang.invoke.MethodType.methodType(void.class, params));
            } else {
                java.lang.reflect.Method m = owner.getMethod(name, params);
                java.lang.invoke.MethodType type = java.lang.invoke.MethodType.methodType(m.getReturnType(), params);
                if (java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                    handle = lookup.findStatic(owner, name, type);
                } else {
                    handle = lookup.findVirtual(owner, name, type);
                    all.add(receiver);
                }
            }
            all.addAll(Arrays.asList(args));
            return handle.asFixedArity().invokeWithArguments(all);
        }
    }

    /** Lab code, in the probing JVM: tries each power and prints {@code what: ok} or what refused it. */
    static final class Probe {
        private Probe() {}

        private static final String PACKAGE = "dev.storagelab.grader.policy.";

        public static void main(String[] args) throws Exception {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            Runtime runtime = Runtime.getRuntime();
            Class<?> state = Class.forName(PACKAGE + "PolicyConfig");
            Map<String, Attempt> attempts = new LinkedHashMap<>();
            // the last call of an attempt, to make through reflection and a method handle too
            Map<String, Callable<Call>> calls = new LinkedHashMap<>();
            attempts.put("a file in its temp folder", () -> Files.writeString(tmp.resolve("f"), "x"));
            attempts.put(
                    "a file in its working folder, by a relative name",
                    () -> Files.readString(Files.writeString(Path.of("relative.txt"), "x")));
            attempts.put("syncing its temp folder", () -> {
                try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.READ)) {
                    ch.force(true);
                }
                return null;
            });
            attempts.put("the command line", () -> Files.readAllBytes(Path.of("/proc/self/cmdline")));
            calls.put(
                    "the command line",
                    () -> new Call(
                            Files.class, "readAllBytes", types(Path.class), null, Path.of("/proc/self/cmdline")));
            attempts.put(
                    "a folder anyone may write to",
                    () -> Files.writeString(Path.of("/run/lock/storagelab-probe"), "x"));
            calls.put(
                    "a folder anyone may write to",
                    () -> new Call(
                            Files.class,
                            "writeString",
                            types(Path.class, CharSequence.class, java.nio.file.OpenOption[].class),
                            null,
                            Path.of("/run/lock/storagelab-probe"),
                            "x",
                            new java.nio.file.OpenOption[0]));
            attempts.put(
                    "out of its folder by ..",
                    () -> Files.list(tmp.resolve("../..")).count());
            calls.put(
                    "out of its folder by ..",
                    () -> new Call(Files.class, "list", types(Path.class), null, tmp.resolve("../..")));
            attempts.put("java.io.File on another folder", () -> new java.io.File("/etc").list());
            calls.put(
                    "java.io.File on another folder",
                    () -> new Call(java.io.File.class, "list", types(), new java.io.File("/etc")));
            attempts.put("a subclass of java.io.File that names another file", () -> new LyingFile("/etc", tmp).list());
            calls.put(
                    "a subclass of java.io.File that names another file",
                    () -> new Call(java.io.File.class, "list", types(), new LyingFile("/etc", tmp)));
            attempts.put(
                    "a stream on a file descriptor", () -> new java.io.FileOutputStream(java.io.FileDescriptor.out));
            calls.put(
                    "a stream on a file descriptor",
                    () -> new Call(
                            java.io.FileOutputStream.class,
                            "<init>",
                            types(java.io.FileDescriptor.class),
                            null,
                            java.io.FileDescriptor.out));
            attempts.put("a link out of its folder", () -> Files.createSymbolicLink(tmp.resolve("l"), Path.of("/etc")));
            calls.put(
                    "a link out of its folder",
                    () -> new Call(
                            Files.class,
                            "createSymbolicLink",
                            types(Path.class, Path.class, java.nio.file.attribute.FileAttribute[].class),
                            null,
                            tmp.resolve("l"),
                            Path.of("/etc"),
                            new java.nio.file.attribute.FileAttribute<?>[0]));
            Path classes = Path.of(Probe.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            attempts.put("the class path", () -> Files.list(classes).count());
            calls.put("the class path", () -> new Call(Files.class, "list", types(Path.class), null, classes));
            attempts.put("a process", () -> new ProcessBuilder("true").start());
            calls.put("a process", () -> new Call(ProcessBuilder.class, "start", types(), new ProcessBuilder("true")));
            attempts.put("its own process handle", () -> ProcessHandle.current().pid());
            calls.put("its own process handle", () -> new Call(ProcessHandle.class, "current", types(), null));
            attempts.put("exit", () -> {
                System.exit(3);
                return null;
            });
            calls.put("exit", () -> new Call(System.class, "exit", types(int.class), null, 3));
            attempts.put("halt", () -> {
                runtime.halt(3);
                return null;
            });
            calls.put("halt", () -> new Call(Runtime.class, "halt", types(int.class), runtime, 3));
            attempts.put("a shutdown hook", () -> {
                runtime.addShutdownHook(new Thread(() -> {}));
                return null;
            });
            calls.put(
                    "a shutdown hook",
                    () -> new Call(
                            Runtime.class, "addShutdownHook", types(Thread.class), runtime, new Thread(() -> {})));
            attempts.put("a socket", () -> new java.net.Socket("127.0.0.1", 9));
            calls.put(
                    "a socket",
                    () -> new Call(
                            java.net.Socket.class, "<init>", types(String.class, int.class), null, "127.0.0.1", 9));
            attempts.put(
                    "a Unix-domain socket",
                    () -> java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX));
            calls.put(
                    "a Unix-domain socket",
                    () -> new Call(
                            java.nio.channels.SocketChannel.class,
                            "open",
                            types(java.net.ProtocolFamily.class),
                            null,
                            java.net.StandardProtocolFamily.UNIX));
            attempts.put("a name lookup", () -> java.net.InetAddress.getByName("example.org"));
            calls.put(
                    "a name lookup",
                    () -> new Call(java.net.InetAddress.class, "getByName", types(String.class), null, "example.org"));
            attempts.put("a native library", () -> {
                System.loadLibrary("zip");
                return null;
            });
            calls.put(
                    "a native library", () -> new Call(System.class, "loadLibrary", types(String.class), null, "zip"));
            attempts.put("the OS's name", () -> System.getProperty("os.name"));
            for (String name : args) {
                attempts.put("the workspace switch " + name, () -> Boolean.getBoolean(name));
            }
            calls.put(
                    "the OS's name", () -> new Call(System.class, "getProperty", types(String.class), null, "os.name"));
            attempts.put("the command line's property", () -> System.getProperty("sun.java.command"));
            calls.put(
                    "the command line's property",
                    () -> new Call(System.class, "getProperty", types(String.class), null, "sun.java.command"));
            attempts.put(
                    "the command line's property by MethodHandle.invoke",
                    () -> (String) java.lang.invoke.MethodHandles.lookup()
                            .findStatic(
                                    System.class,
                                    "getProperty",
                                    java.lang.invoke.MethodType.methodType(String.class, String.class))
                            .invoke("sun.java.command"));
            calls.put(
                    "the command line's property by MethodHandle.invoke",
                    () -> new Call(System.class, "getProperty", types(String.class), null, "sun.java.command"));
            attempts.put("every property", System::getProperties);
            calls.put("every property", () -> new Call(System.class, "getProperties", types(), null));
            attempts.put("a property set", () -> System.setProperty("storagelab.btree.pool", "1"));
            calls.put(
                    "a property set",
                    () -> new Call(
                            System.class,
                            "setProperty",
                            types(String.class, String.class),
                            null,
                            "storagelab.btree.pool",
                            "1"));
            attempts.put("the environment", () -> System.getenv("PATH"));
            calls.put("the environment", () -> new Call(System.class, "getenv", types(String.class), null, "PATH"));
            attempts.put(
                    "the environment through java.beans.Expression",
                    () -> new java.beans.Expression(System.class, "getenv", new Object[] {"PATH"}).getValue());
            calls.put(
                    "the environment through java.beans.Expression",
                    () -> new Call(
                            java.beans.Expression.class,
                            "getValue",
                            types(),
                            new java.beans.Expression(System.class, "getenv", new Object[] {"PATH"})));
            attempts.put(
                    "the environment through a proxy of a method handle",
                    () -> environmentProxy().apply("PATH"));
            calls.put(
                    "the environment through a proxy of a method handle",
                    () -> new Call(
                            java.util.function.Function.class,
                            "apply",
                            types(Object.class),
                            environmentProxy(),
                            "PATH"));
            attempts.put("the environment through a process builder", () -> new ProcessBuilder().environment());
            calls.put(
                    "the environment through a process builder",
                    () -> new Call(ProcessBuilder.class, "environment", types(), new ProcessBuilder()));
            attempts.put("a private field", () -> {
                String.class.getDeclaredField("value").setAccessible(true);
                return null;
            });
            calls.put(
                    "a private field",
                    () -> new Call(
                            java.lang.reflect.Field.class,
                            "setAccessible",
                            types(boolean.class),
                            String.class.getDeclaredField("value"),
                            true));
            attempts.put(
                    "a private lookup",
                    () -> java.lang.invoke.MethodHandles.privateLookupIn(
                            String.class, java.lang.invoke.MethodHandles.lookup()));
            calls.put("a private lookup", () -> privateLookupIn(String.class));
            attempts.put("a class loader", () -> new java.net.URLClassLoader(new java.net.URL[0]));
            calls.put(
                    "a class loader",
                    () -> new Call(java.net.URLClassLoader.class, "<init>", types(java.net.URL[].class), null, (Object)
                            new java.net.URL[0]));
            attempts.put("standard output replaced", () -> {
                System.setOut(System.out);
                return null;
            });
            calls.put(
                    "standard output replaced",
                    () -> new Call(System.class, "setOut", types(java.io.PrintStream.class), null, System.out));
            Attempt environment = System::getenv;
            attempts.put("a method reference to the environment", environment);
            calls.put("a method reference to the environment", () -> new Call(System.class, "getenv", types(), null));
            attempts.put("the management beans", java.lang.management.ManagementFactory::getRuntimeMXBean);
            calls.put(
                    "the management beans",
                    () -> new Call(java.lang.management.ManagementFactory.class, "getRuntimeMXBean", types(), null));
            // the policy's own state: the attack that switched it off, a setAccessible through Method.invoke
            attempts.put("the policy switched off through its state", () -> {
                java.lang.reflect.Field current = state.getDeclaredField("current");
                java.lang.reflect.Field.class
                        .getMethod("setAccessible", boolean.class)
                        .invoke(current, true);
                current.set(null, null);
                return Files.readAllBytes(Path.of("/proc/self/cmdline"));
            });
            calls.put(
                    "the policy switched off through its state",
                    () -> new Call(Class.class, "getDeclaredField", types(String.class), state, "current"));
            Class<?> callers = Class.forName(PACKAGE + "Callers");
            attempts.put("a member of the policy made accessible", () -> {
                callers.getDeclaredMethod("labInCharge").setAccessible(true);
                return null;
            });
            calls.put(
                    "a member of the policy made accessible",
                    () -> new Call(
                            java.lang.reflect.Method.class,
                            "setAccessible",
                            types(boolean.class),
                            callers.getDeclaredMethod("labInCharge"),
                            true));
            attempts.put(
                    "the policy's state by a method handle",
                    () -> java.lang.invoke.MethodHandles.lookup().findStaticGetter(state, "current", state));
            calls.put(
                    "the policy's state by a method handle",
                    () -> new Call(
                            java.lang.invoke.MethodHandles.Lookup.class,
                            "findStaticVarHandle",
                            types(Class.class, String.class, Class.class),
                            java.lang.invoke.MethodHandles.lookup(),
                            state,
                            "current",
                            state));
            attempts.put(
                    "an enum by name",
                    () -> java.util.concurrent.TimeUnit.valueOf("SECONDS")
                            + java.util.EnumSet.allOf(Thread.State.class).toString());
            calls.put(
                    "an enum by name",
                    () -> new Call(java.util.EnumSet.class, "allOf", types(Class.class), null, Thread.State.class));
            attempts.put(
                    "formatting with the default locale and time zone",
                    () -> String.format("%,d %tc", 1234567, new java.util.Date()) + java.time.ZonedDateTime.now());
            calls.put(
                    "formatting with the default locale and time zone",
                    () -> new Call(
                            String.class, "format", types(String.class, Object[].class), null, "%,d %tc", new Object[] {
                                1234567, new java.util.Date()
                            }));
            attempts.put(
                    "a parallel stream",
                    () -> java.util.stream.IntStream.range(0, 50_000).parallel().sum());
            attempts.put("a new thread", () -> {
                Thread t = new Thread(() -> {});
                t.start();
                t.join();
                return null;
            });
            attempts.put("a random UUID", java.util.UUID::randomUUID);
            calls.put("a random UUID", () -> new Call(java.util.UUID.class, "randomUUID", types(), null));
            attempts.put("a charset by name", () -> java.nio.charset.Charset.forName("windows-1252"));
            calls.put(
                    "a charset by name",
                    () -> new Call(
                            java.nio.charset.Charset.class, "forName", types(String.class), null, "ISO-8859-15"));
            attempts.put("a lambda that does its work", () -> {
                java.util.function.Function<Path, String> read = p -> {
                    try {
                        return Files.readString(p);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                };
                return read.apply(tmp.resolve("f"));
            });
            say(attempts, calls);
        }

        /** Makes each attempt, and each of {@code calls} through reflection and a method handle too. */
        static void say(Map<String, Attempt> attempts, Map<String, Callable<Call>> calls) {
            for (Map.Entry<String, Attempt> a : attempts.entrySet()) {
                say(a.getKey(), a.getValue());
                Callable<Call> call = calls.get(a.getKey());
                if (call != null) {
                    say(a.getKey() + FORMS.get(1), () -> call.call().reflectively());
                    say(a.getKey() + FORMS.get(2), () -> call.call().throughAMethodHandle());
                }
            }
        }

        static Class<?>[] types(Class<?>... types) {
            return types;
        }

        /** {@code MethodHandles.privateLookupIn(target, lookup())}, as a {@link Call}. */
        static Call privateLookupIn(Class<?> target) {
            return new Call(
                    java.lang.invoke.MethodHandles.class,
                    "privateLookupIn",
                    types(Class.class, java.lang.invoke.MethodHandles.Lookup.class),
                    null,
                    target,
                    java.lang.invoke.MethodHandles.lookup());
        }

        /** {@code System.getenv(name)} behind a proxy that {@code MethodHandleProxies} makes. */
        @SuppressWarnings("unchecked")
        private static java.util.function.Function<Object, Object> environmentProxy()
                throws ReflectiveOperationException {
            java.lang.invoke.MethodHandle getenv = java.lang.invoke.MethodHandles.lookup()
                    .findStatic(
                            System.class, "getenv", java.lang.invoke.MethodType.methodType(String.class, String.class));
            return java.lang.invoke.MethodHandleProxies.asInterfaceInstance(
                    java.util.function.Function.class,
                    getenv.asType(java.lang.invoke.MethodType.methodType(Object.class, Object.class)));
        }

        /** One attempt at a power: returns if it got it. */
        interface Attempt {
            Object call() throws Throwable;
        }

        private static void say(String attempt, Attempt what) {
            String result;
            try {
                what.call();
                result = "ok";
            } catch (Throwable t) {
                Throwable root = t;
                while (root.getCause() != null && !(root instanceof SecurityException)) {
                    root = root.getCause();
                }
                result = root.toString().replace('\n', ' ');
            }
            System.out.println(attempt + ": " + result);
        }
    }

    /**
     * Reaches for each class of the policy its arguments name, and says what it got (run as lab
     * code, and as code that is not): on the boot class path, its fields listed, a member made
     * accessible, a private lookup in it; and, to tell the two runs apart, a private member of its
     * own made accessible.
     */
    static final class PolicyReach {
        private PolicyReach() {}

        static final String OWN = "a private member of its own made accessible";

        private static final int SECRET = 7;

        public static void main(String[] args) {
            Map<String, Probe.Attempt> attempts = new LinkedHashMap<>();
            Map<String, Callable<Call>> calls = new LinkedHashMap<>();
            madeAccessible(attempts, calls, OWN, () -> PolicyReach.class.getDeclaredField("SECRET"));
            for (String name : args) {
                String simple = name.substring(name.lastIndexOf('.') + 1);
                attempts.put("the policy's " + simple + ", on the boot class path", () -> {
                    ClassLoader loader = Class.forName(name).getClassLoader();
                    if (loader != null) {
                        throw new IllegalStateException(name + " was loaded by " + loader);
                    }
                    return null;
                });
                attempts.put("the fields of the policy's " + simple + ", listed", () -> {
                    java.lang.reflect.Field[] fields = Class.forName(name).getDeclaredFields();
                    if (fields.length > 0) {
                        throw new IllegalStateException("its fields are seen: " + Arrays.toString(fields));
                    }
                    return null;
                });
                madeAccessible(
                        attempts,
                        calls,
                        "a member of the policy's " + simple + " made accessible",
                        () -> Class.forName(name).getDeclaredConstructors()[0]);
                String lookup = "a private lookup in the policy's " + simple;
                attempts.put(
                        lookup,
                        () -> java.lang.invoke.MethodHandles.privateLookupIn(
                                Class.forName(name), java.lang.invoke.MethodHandles.lookup()));
                calls.put(lookup, () -> Probe.privateLookupIn(Class.forName(name)));
            }
            Probe.say(attempts, calls);
        }

        /** {@code member}'s {@code setAccessible(true)}: the attempt {@code attempt}, made in every form. */
        private static void madeAccessible(
                Map<String, Probe.Attempt> attempts,
                Map<String, Callable<Call>> calls,
                String attempt,
                Callable<java.lang.reflect.AccessibleObject> member) {
            attempts.put(attempt, () -> {
                member.call().setAccessible(true);
                return null;
            });
            calls.put(
                    attempt,
                    () -> new Call(
                            java.lang.reflect.AccessibleObject.class,
                            "setAccessible",
                            Probe.types(boolean.class),
                            member.call(),
                            true));
        }
    }

    /**
     * A library's ready-made handler, task, timer task, cleaning action and thread factory (not lab
     * code in {@link #nothingLabCodeInstallsCanEndTheJvm}): run, it tries to end the JVM and says
     * what stopped it.
     */
    static final class Ender extends java.util.TimerTask
            implements Thread.UncaughtExceptionHandler, java.util.concurrent.ThreadFactory {
        final String what;
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

        Ender(String what) {
            this.what = what;
        }

        @Override
        public void uncaughtException(Thread t, Throwable e) {
            run();
        }

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r);
            t.setUncaughtExceptionHandler(this);
            return t;
        }

        @Override
        public void run() {
            String exit = "returned";
            String halt = "returned";
            try {
                System.exit(42);
            } catch (SecurityException e) {
                exit = e.toString();
            }
            try {
                Runtime.getRuntime().halt(43);
            } catch (SecurityException e) {
                halt = e.toString();
            }
            System.out.println(what + ": exit: " + exit + "; halt: " + halt);
            done.countDown();
        }

        void await() throws InterruptedException {
            if (!done.await(20, TimeUnit.SECONDS)) {
                System.out.println(what + ": never ran");
            }
        }
    }

    /**
     * The probing JVM's main class, as the grader's runner is (not lab code): starts the common
     * pool's workers and a thread of its own before lab code runs, then {@link Callbacks}, then
     * ends the JVM itself.
     */
    static final class Runner {
        private Runner() {}

        public static void main(String[] args) throws Exception {
            java.util.concurrent.ForkJoinPool.commonPool().submit(() -> {}).get();
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            Thread own = new Thread(
                    () -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        throw new IllegalStateException("the runner's thread fails");
                    },
                    "the runner's own");
            own.start();
            Callbacks.install(own, go);
            System.out.println("the runner: halts");
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    /** Lab code: installs a library's {@link Ender} everywhere the JVM, a pool or another thread will run it. */
    static final class Callbacks {
        private Callbacks() {}

        static final List<String> INSTALLED = List.of(
                "a library's handler on a thread lab code started",
                "a library's handler lab code set on the runner's thread",
                "a library's task on a thread lab code started",
                "a library's timer task on lab code's timer",
                "a library's cleaning action on lab code's cleaner",
                "a library's task on the common pool",
                "a library's thread factory in lab code's executor");

        static void install(Thread runners, java.util.concurrent.CountDownLatch go) throws Exception {
            Ender handler = new Ender(INSTALLED.get(0));
            Thread failing = new Thread(() -> {
                throw new IllegalStateException("lab code's thread fails");
            });
            failing.setUncaughtExceptionHandler(handler);
            failing.start();
            handler.await();

            Ender onTheRunners = new Ender(INSTALLED.get(1));
            runners.setUncaughtExceptionHandler(onTheRunners);
            go.countDown();
            onTheRunners.await();

            Ender task = new Ender(INSTALLED.get(2));
            new Thread(task).start();
            task.await();

            Ender timerTask = new Ender(INSTALLED.get(3));
            new java.util.Timer(true).schedule(timerTask, 0);
            timerTask.await();

            Ender cleaning = new Ender(INSTALLED.get(4));
            java.lang.ref.Cleaner.create().register(new Object(), cleaning);
            for (int i = 0; i < 100 && cleaning.done.getCount() > 0; i++) {
                System.gc();
                Thread.sleep(50);
            }
            cleaning.await();

            Ender pooled = new Ender(INSTALLED.get(5));
            java.util.concurrent.ForkJoinPool.commonPool().execute((Runnable) pooled);
            pooled.await();

            Ender factory = new Ender(INSTALLED.get(6));
            java.util.concurrent.ExecutorService executor =
                    java.util.concurrent.Executors.newSingleThreadExecutor(factory);
            executor.execute(() -> {
                throw new IllegalStateException("lab code's task fails");
            });
            factory.await();
            executor.shutdown();
        }
    }

    /** A file whose {@code getPath} names another file than the one it was made for (and the native code uses). */
    static final class LyingFile extends java.io.File {
        private static final long serialVersionUID = 1L;
        private final transient Path shown;

        LyingFile(String path, Path shown) {
            super(path);
            this.shown = shown;
        }

        @Override
        public String getPath() {
            return shown == null ? super.getPath() : shown.toString();
        }
    }
}
