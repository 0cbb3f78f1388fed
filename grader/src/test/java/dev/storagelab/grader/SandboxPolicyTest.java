package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
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
        Path work = Files.createDirectories(dir.resolve("work"));
        Path scratch = Files.createDirectories(dir.resolve("tmp"));
        String classes = probeClasses();
        List<SandboxPolicy.Entry> classpath = List.of(new SandboxPolicy.Entry(classes, true));
        List<String> flags = SandboxPolicy.flags(classpath, List.of(work, scratch));
        String graders = flags.get(0).substring("-javaagent:".length());
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
        flags.forEach(f -> cmd.add(agent == null ? f : f.replace(graders, agent.toString())));
        cmd.addAll(List.of("-Djava.io.tmpdir=" + scratch, "-cp", classes, Probe.class.getName()));
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

    private static void refused(String attempt, String permission) {
        assertThat(attempt + " was tried", said.containsKey(attempt), is(true));
        assertThat(attempt, said.get(attempt), containsString("SecurityException: access denied (" + permission));
    }

    private static void allowed(String attempt) {
        assertThat(attempt + " was tried", said.containsKey(attempt), is(true));
        assertThat(attempt, said.get(attempt), is("ok"));
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

    /** Lab code, in the probing JVM: tries each power and prints {@code what: ok} or what refused it. */
    static final class Probe {
        private Probe() {}

        public static void main(String[] args) {
            Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
            Map<String, Callable<Object>> attempts = new LinkedHashMap<>();
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
            attempts.put(
                    "a folder anyone may write to",
                    () -> Files.writeString(Path.of("/run/lock/storagelab-probe"), "x"));
            attempts.put(
                    "out of its folder by ..",
                    () -> Files.list(tmp.resolve("../..")).count());
            attempts.put("java.io.File on another folder", () -> new java.io.File("/etc").list());
            attempts.put(
                    "a stream on a file descriptor", () -> new java.io.FileOutputStream(java.io.FileDescriptor.out));
            attempts.put("a link out of its folder", () -> Files.createSymbolicLink(tmp.resolve("l"), Path.of("/etc")));
            attempts.put(
                    "the class path",
                    () -> Files.list(Path.of(Probe.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI()))
                            .count());
            attempts.put("a process", () -> new ProcessBuilder("true").start());
            attempts.put("its own process handle", () -> ProcessHandle.current().pid());
            attempts.put("exit", () -> {
                System.exit(3);
                return null;
            });
            attempts.put("halt", () -> {
                Runtime.getRuntime().halt(3);
                return null;
            });
            attempts.put("a shutdown hook", () -> {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {}));
                return null;
            });
            attempts.put("a socket", () -> new java.net.Socket("127.0.0.1", 9));
            attempts.put(
                    "a Unix-domain socket",
                    () -> java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX));
            attempts.put("a name lookup", () -> java.net.InetAddress.getByName("example.org"));
            attempts.put("a native library", () -> {
                System.loadLibrary("zip");
                return null;
            });
            attempts.put("the OS's name", () -> System.getProperty("os.name"));
            attempts.put("the command line's property", () -> System.getProperty("sun.java.command"));
            attempts.put("every property", System::getProperties);
            attempts.put("a property set", () -> System.setProperty("storagelab.btree.pool", "1"));
            attempts.put("the environment", () -> System.getenv("PATH"));
            attempts.put("the environment through a process builder", () -> new ProcessBuilder().environment());
            attempts.put("a private field", () -> {
                String.class.getDeclaredField("value").setAccessible(true);
                return null;
            });
            attempts.put(
                    "a private lookup",
                    () -> java.lang.invoke.MethodHandles.privateLookupIn(
                            String.class, java.lang.invoke.MethodHandles.lookup()));
            attempts.put("a class loader", () -> new java.net.URLClassLoader(new java.net.URL[0]));
            attempts.put("standard output replaced", () -> {
                System.setOut(System.out);
                return null;
            });
            Callable<Object> environment = System::getenv;
            attempts.put("a method reference to the environment", environment);
            attempts.put("the management beans", java.lang.management.ManagementFactory::getRuntimeMXBean);
            attempts.put(
                    "an enum by name",
                    () -> java.util.concurrent.TimeUnit.valueOf("SECONDS")
                            + java.util.EnumSet.allOf(Thread.State.class).toString());
            attempts.put(
                    "formatting with the default locale and time zone",
                    () -> String.format("%,d %tc", 1234567, new java.util.Date()) + java.time.ZonedDateTime.now());
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
            attempts.put("a charset by name", () -> java.nio.charset.Charset.forName("windows-1252"));
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
            for (Map.Entry<String, Callable<Object>> a : attempts.entrySet()) {
                String result;
                try {
                    a.getValue().call();
                    result = "ok";
                } catch (Throwable t) {
                    Throwable root = t;
                    while (root.getCause() != null && !(root instanceof SecurityException)) {
                        root = root.getCause();
                    }
                    result = root.toString().replace('\n', ' ');
                }
                System.out.println(a.getKey() + ": " + result);
            }
        }
    }
}
