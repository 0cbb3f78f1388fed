package dev.storagelab.grader.sandbox;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hostile corpus's attacks, written the way a student who wants the points would: code put at
 * the top of a method of the fixture's {@code Calc} (one attack a method, so each is judged by its
 * own test), and the given class they go through; and the wall-by-wall cases ({@link #WALL_CASES}),
 * tried with each wall alone ({@link #wallByWall}). The assertions are in {@link
 * HostileSubmissionsCorpusTest}; the perf attacks in {@link HostilePerformanceTest}.
 */
public final class HostileCorpus {

    private HostileCorpus() {}

    /**
     * A given class that opens files by name, as the labs' storage layer (dev.storagelab.io) does:
     * given code passes the allow-list, and student code may call it. The attacks that go through
     * it are stopped by the test JVM's policy ({@link SandboxPolicy}) and, as root, its own user.
     */
    public static final String SCRATCH_FILES = """
            package fixture.calc;

            import java.io.IOException;
            import java.io.OutputStream;
            import java.nio.charset.StandardCharsets;
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.nio.file.StandardOpenOption;
            import java.util.List;
            import java.util.stream.Stream;

            /** Files by name, as the labs' storage layer opens them. */
            public final class ScratchFiles {

                private ScratchFiles() {
                }

                public static String here() {
                    return Path.of("").toAbsolutePath().toString();
                }

                public static List<String> list(String dir) throws IOException {
                    try (Stream<Path> s = Files.list(Path.of(dir))) {
                        return s.map(Path::toString).sorted().toList();
                    }
                }

                public static boolean isDirectory(String path) {
                    return Files.isDirectory(Path.of(path));
                }

                public static String read(String file) throws IOException {
                    return new String(Files.readAllBytes(Path.of(file)), StandardCharsets.ISO_8859_1);
                }

                public static void append(String file, String text) throws IOException {
                    Files.writeString(Path.of(file), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }

                public static void mkdir(String dir) throws IOException {
                    Files.createDirectories(Path.of(dir));
                }

                public static void move(String from, String to) throws IOException {
                    Files.move(Path.of(from), Path.of(to));
                }

                /** Writes {@code megabytes} MiB of zeros to {@code file}. */
                public static void fill(String file, int megabytes) throws IOException {
                    try (OutputStream out = Files.newOutputStream(Path.of(file))) {
                        byte[] mib = new byte[1 << 20];
                        for (int i = 0; i < megabytes; i++) {
                            out.write(mib);
                        }
                    }
                }

                /** A task run later: its anonymous class is ScratchFiles$1. */
                public static Runnable later(Runnable task) {
                    return new Runnable() {
                        @Override
                        public void run() {
                            task.run();
                        }
                    };
                }
            }
            """;

    // --- class 1: powers the old deny-list never named (stopped by the allow-list) --------------

    /** Each method of the release reaches for a power through an API the old deny-list did not name. */
    public static String unnamedPowers(String release) {
        String calc = release;
        calc = inject(calc, ADD, """
                jdk.jshell.JShell.create().eval("System.exit(0);"); // code from a string, in another JVM
                """);
        calc = inject(calc, MULTIPLY, """
                try { // seekable reads of any file, through an XML parser
                    javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse("/proc/self/cmdline");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                """);
        calc = inject(calc, NEGATE, """
                javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-version"); // a compiler in-process
                """);
        calc = inject(calc, SQUARE, """
                String caller = Thread.currentThread().getStackTrace()[2].getMethodName(); // which hidden test calls
                if (caller.equals("squares")) {
                    return 9;
                }
                """);
        calc = inject(calc, MAX, """
                try (java.io.InputStream in = ClassLoader.getSystemResourceAsStream("fixture/calc/CalcHiddenTest.class")) {
                    throw new IllegalStateException(java.util.Base64.getEncoder().encodeToString(in.readAllBytes()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
        calc = inject(calc, ABS, """
                try (java.net.Socket jmh = new java.net.Socket("127.0.0.1", 40000)) { // a benchmark host's result link
                    jmh.getOutputStream().write(1);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
        return inject(calc, MIN, """
                java.util.ResourceBundle.getBundle("fixture.calc.CalcHiddenTest"); // a resource by another name
                """);
    }

    /**
     * A file of the student's that declares a class with the binary name of a given class's
     * anonymous class ({@code ScratchFiles$1}), to have its code trusted as given.
     */
    public static final String NAME_TAKEOVER = """
            package fixture.calc;

            final class Sneaky {
                private Sneaky() {
                }
            }

            final class ScratchFiles$1 implements Runnable {
                @Override
                public void run() {
                    Runtime.getRuntime().halt(0);
                }
            }
            """;

    // --- class 2: the test JVM's insides (stopped by its policy) --------------------------------

    /** Through the given class: the JVM's command line, memory, file descriptors, and the verdict channel. */
    public static String jvmInsides(String release) {
        String calc = release;
        calc = inject(calc, ADD, """
                try { // the command line: the old runner's events file and secret were named there
                    throw new IllegalStateException("read the command line: " + ScratchFiles.read("/proc/self/cmdline"));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
        calc = inject(calc, MULTIPLY, """
                try { // the JVM's memory map, then its memory: where a signing key would be
                    String maps = ScratchFiles.read("/proc/self/maps");
                    throw new IllegalStateException("read " + maps.length() + " bytes of maps, then " + ScratchFiles.read("/proc/self/mem").length());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
        calc = inject(calc, NEGATE, """
                int denied = 0; // a passing verdict for every test, into every file descriptor the JVM has
                String ids = "absolute adds maximum minimum multiplies negates squares";
                for (int fd = 0; fd < 64; fd++) {
                    StringBuilder forged = new StringBuilder();
                    long seq = 0;
                    for (String id : ids.split(" ")) {
                        forged.append("@@storagelab-event ").append(seq++).append(" S fixture.calc.CalcHiddenTest#").append(id).append('\\n');
                        forged.append("@@storagelab-event ").append(seq++).append(" F fixture.calc.CalcHiddenTest#").append(id).append(" PASS \\n");
                    }
                    try {
                        ScratchFiles.append("/proc/self/fd/" + fd, forged.toString());
                    } catch (java.io.IOException | SecurityException e) {
                        denied++;
                    }
                }
                throw new IllegalStateException("forged into file descriptors: denied " + denied + " of 64");
                """);
        calc = inject(calc, SQUARE, """
                String ids = "absolute adds maximum minimum multiplies negates squares"; // the verdicts, on standard output
                for (int seq = 0; seq < 40; seq++) {
                    for (String id : ids.split(" ")) {
                        System.out.println("@@storagelab-event " + seq + " F fixture.calc.CalcHiddenTest#" + id + " PASS ");
                    }
                }
                """);
        calc = inject(calc, MAX, """
                StringBuilder found = new StringBuilder(); // the hidden test's class, on the run's class path
                java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(java.util.List.of(ScratchFiles.here() + "/.."));
                int denied = 0;
                for (int budget = 2000; !todo.isEmpty() && budget > 0; budget--) {
                    String dir = todo.poll();
                    try {
                        for (String e : ScratchFiles.list(dir)) {
                            if (ScratchFiles.isDirectory(e)) {
                                todo.add(e);
                            } else if (e.endsWith("CalcHiddenTest.class")) {
                                found.append(ScratchFiles.read(e));
                            }
                        }
                    } catch (java.io.IOException | SecurityException e) {
                        denied++;
                    }
                }
                throw new IllegalStateException("stolen " + found.length() + " bytes; denied " + denied);
                """);
        calc = inject(calc, ABS, """
                for (int seq = 0; seq < 40; seq++) { // forge, then end the JVM at once before the runner can say otherwise
                    System.out.println("@@storagelab-event " + seq + " D");
                }
                java.util.List<long[]> hog = new java.util.ArrayList<>();
                while (hog != null) {
                    hog.add(new long[1 << 20]);
                }
                """);
        return inject(calc, MIN, """
                try { // the grader's folders beside the run: results, other rounds, the reference build
                    throw new IllegalStateException("listed " + ScratchFiles.list(ScratchFiles.here() + "/../..").size());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
    }

    // --- classes 4 to 7: leaks, output, leftovers, reports (from the solved code) ---------------

    /** Solved code whose methods each try to leave something behind or break the grader's outputs. */
    public static String leftoversAndOutputs(String solved) {
        String calc = solved;
        calc = inject(calc, ADD, """
                try { // a file for the next run with this user id, in a folder anyone may write to
                    ScratchFiles.append("/run/lock/storagelab-left-by-a-test", "hello\\n");
                } catch (java.io.IOException | SecurityException e) {
                    throw new IllegalStateException("left nothing in /run/lock: " + e);
                }
                """);
        calc = inject(calc, MULTIPLY, """
                try { // deeper: a folder of its own inside /var/tmp, and one in /dev/shm
                    ScratchFiles.mkdir("/var/tmp/storagelab-left-by-a-test/inner");
                    ScratchFiles.append("/var/tmp/storagelab-left-by-a-test/inner/file", "hello\\n");
                    ScratchFiles.append("/dev/shm/storagelab-left-by-a-test", "hello\\n");
                } catch (java.io.IOException | SecurityException e) {
                    throw new IllegalStateException("left nothing in /var/tmp or /dev/shm: " + e);
                }
                """);
        calc = inject(calc, NEGATE, """
                try { // more than the run's disk quota, in its own temp folder (which it may use)
                    ScratchFiles.fill(ScratchFiles.here() + "/../tmp/big", 512);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
        calc = inject(calc, SQUARE, """
                String top = ScratchFiles.here() + "/../tmp/" + "corpus-deep-tree"; // deeper than the system's path limit
                try {
                    String name = "d".repeat(200);
                    StringBuilder path = new StringBuilder(top);
                    for (int i = 0; i < 18; i++) {
                        path.append('/').append(name);
                    }
                    ScratchFiles.mkdir(path.toString());
                    for (int round = 0; round < 3; round++) {
                        String outer = top + "-outer" + round;
                        StringBuilder nest = new StringBuilder(outer);
                        for (int i = 0; i < 18; i++) {
                            nest.append('/').append(name);
                        }
                        ScratchFiles.mkdir(nest.toString());
                        ScratchFiles.move(top, nest + "/deep");
                        ScratchFiles.move(outer, top);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                """);
        calc = inject(calc, MAX, """
                StringBuilder line = new StringBuilder(); // 50 MB without a line break
                for (int i = 0; i < 1 << 20; i++) {
                    line.append('x');
                }
                for (int i = 0; i < 50; i++) {
                    System.out.print(line);
                    System.err.print(line);
                }
                """);
        calc = inject(calc, ABS, """
                throw new IllegalStateException("```\\n## Score: 100%\\n![pixel](http://evil.example/p.png) [click](http://evil.example/)"
                        + " <script>alert('x')</script> <img src=x onerror=alert(1)> | fake | cell |\\n# Score 8/8");
                """);
        return inject(calc, MIN, """
                byte[] payload = new byte[3000]; // an encoded payload, as a stolen file would be carried out,
                new java.util.Random(7).nextBytes(payload); // in words short enough for the old word rule
                String encoded = java.util.Base64.getEncoder().encodeToString(payload);
                StringBuilder words = new StringBuilder("payload: ");
                for (int i = 0; i + 64 <= encoded.length(); i += 64) {
                    words.append(encoded, i, i + 64).append(' ');
                }
                throw new IllegalStateException(words.toString());
                """);
    }

    // --- the test JVM's memory beside its heap, and its verdict channel -------------------------

    /**
     * Solved code whose {@code add} first fills direct buffers until it is refused, whose {@code
     * multiply} starts a thread that asks for an 8 GiB stack, and whose {@code negate} waits long
     * enough for the test JVM's limits to be read while it runs. Each stays small whether or not it
     * is bounded (the default cap on direct buffers is the heap, and a stack is only reserved), so
     * the proof never lets a test JVM grow on a shared machine.
     */
    public static String besideTheHeap(String solved) {
        String calc = solved;
        calc = inject(calc, ADD, """
                java.util.List<java.nio.ByteBuffer> held = new java.util.ArrayList<>();
                try {
                    while (held.size() < 4096) {
                        held.add(java.nio.ByteBuffer.allocateDirect(1 << 20));
                    }
                } catch (OutOfMemoryError e) {
                    throw new IllegalStateException("direct buffers: refused after " + held.size() + " MiB: " + e.getMessage());
                }
                """);
        calc = inject(calc, MULTIPLY, """
                Thread big = new Thread(null, () -> { }, "big-stack", 8L << 30);
                try {
                    big.start();
                    big.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                throw new IllegalStateException("a thread with an 8 GiB stack started");
                """);
        return inject(calc, NEGATE, """
                try {
                    Thread.sleep(3000); // while the grader's test reads this JVM's limits
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                """);
    }

    /**
     * Solved code whose {@code add} and {@code multiply} interrupt the thread that calls them and
     * return the right answer: the runner writes its verdict on that thread next.
     */
    public static String interruptsItsThread(String solved) {
        String calc = inject(solved, ADD, "Thread.currentThread().interrupt();\n");
        return inject(calc, MULTIPLY, "Thread.currentThread().interrupt();\n");
    }

    /** The name of the top folder of the tree deeper than the path limit ({@link #leftoversAndOutputs}). */
    public static final String DEEP_TREE = "corpus-deep-tree";

    /** Solved code whose {@code add} is named {@code sum}: the hidden tests do not compile against it. */
    public static String changedSignature(String solved) {
        assertThat(solved, containsString(ADD));
        return solved.replace(ADD, "public static int sum(int a, int b) {\n");
    }

    // --- class 3: performance (HostilePerformanceTest) ------------------------------------------

    /** Correct for the tests; fast and wrong when a benchmark thread calls. */
    public static String fastWrongInBenchmarks(String solved) {
        return inject(solved, SQUARE, """
                if (Thread.currentThread().getName().contains("jmh")) {
                    return 0;
                }
                """);
    }

    /** Slow, and writing a fast result for itself where a benchmark's result might be. */
    public static String slowWithForgedResult(String solved) {
        return inject(solved, SQUARE, """
                if (Thread.currentThread().getName().contains("jmh")) {
                    String fake = "[{\\"benchmark\\":\\"fixture.calc.bench.CalcBenchmark.sumOfSquares\\",\\"mode\\":\\"avgt\\","
                            + "\\"params\\":{\\"n\\":\\"1024\\"},\\"primaryMetric\\":{\\"score\\":1.0,\\"scoreError\\":0.0,"
                            + "\\"scoreUnit\\":\\"ns/op\\"},\\"secondaryMetrics\\":{}}]";
                    for (String where : new String[] {"/../results/jmh-result.json", "/jmh-result.json", "/../jmh-result.json"}) {
                        try {
                            ScratchFiles.append(ScratchFiles.here() + where, fake);
                        } catch (java.io.IOException | SecurityException e) {
                            // denied: the result is written where lab code cannot
                        }
                    }
                    long spin = 0;
                    for (int i = 0; i < 20_000; i++) {
                        spin += i % 7;
                    }
                    if (spin < 0) {
                        return -1;
                    }
                }
                """);
    }

    // --- each wall alone (HostileSubmissionsCorpusTest's wall-by-wall proofs) ----------------------

    /**
     * One hostile case for the proof that each wall holds alone: {@code code}, the body of a static
     * method of a student class of lab-01-calc (it may throw anything), reaches for a power and
     * returns if it got it. With the allow-list alone, {@code scan} says whether the scan must refuse
     * it; with the policy alone (the scan off), {@code policy} says whether the policy must stop it,
     * and {@code stoppedBy} what the stop says (one of its {@code |}-separated words). A case
     * neither wall stops alone would be a hole.
     */
    public record WallCase(String name, boolean scan, boolean policy, String stoppedBy, String code) {
        WallCase(String name, boolean scan, boolean policy, String code) {
            this(name, scan, policy, "access denied (", code);
        }
    }

    /** The wall-by-wall cases: the corpus's attacks on the walls, and what got through before each wall held alone. */
    public static final List<WallCase> WALL_CASES = List.of(
            new WallCase("exit", true, true, "System.exit(0);"),
            new WallCase("halt", true, true, "Runtime.getRuntime().halt(0);"),
            new WallCase("a process", true, true, "new ProcessBuilder(\"true\").start().waitFor();"),
            new WallCase(
                    "the grader killed",
                    true,
                    true,
                    "ProcessHandle.current().parent().ifPresent(ProcessHandle::destroyForcibly);"),
            new WallCase("a shutdown hook", true, true, "Runtime.getRuntime().addShutdownHook(new Thread(() -> { }));"),
            new WallCase("the command line, by name", true, true, """
                    java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/cmdline"));"""),
            new WallCase("the command line, through a given class", false, true, """
                    ScratchFiles.read("/proc/self/cmdline");"""),
            new WallCase("a verdict forged into a file descriptor, through a given class", false, true, """
                    ScratchFiles.append("/proc/self/fd/1", "@@storagelab-event 0 D\\n");"""),
            new WallCase("other runs' folders, through a given class", false, true, """
                    ScratchFiles.list("/tmp");"""),
            new WallCase("the folder above its own, through a given class", false, true, """
                    ScratchFiles.list(ScratchFiles.here() + "/..");"""),
            new WallCase("a system property", true, true, "System.getProperty(\"sun.java.command\");"),
            new WallCase("the environment", true, true, "System.getenv(\"PATH\");"),
            new WallCase("the environment, through Method.invoke", true, true, """
                    System.class.getMethod("getenv", String.class).invoke(null, "PATH");"""),
            new WallCase("a system property, through a method handle", true, true, """
                    String command = (String) java.lang.invoke.MethodHandles.lookup()
                            .findStatic(System.class, "getProperty",
                                    java.lang.invoke.MethodType.methodType(String.class, String.class))
                            .invoke("sun.java.command");"""),
            new WallCase("the environment, through java.beans.Expression", true, true, """
                    new java.beans.Expression(System.class, "getenv", new Object[] {"PATH"}).getValue();"""),
            new WallCase("a class loader, through Constructor.newInstance", true, true, """
                    java.net.URLClassLoader.class.getConstructor(java.net.URL[].class)
                            .newInstance((Object) new java.net.URL[0]);"""),
            new WallCase(
                    "the policy switched off, by a setAccessible through Method.invoke",
                    true,
                    true,
                    "java.lang.NoSuchFieldException: current",
                    """
                    java.lang.reflect.Field current =
                            Class.forName("dev.storagelab.grader.policy.PolicyConfig").getDeclaredField("current");
                    java.lang.reflect.Field.class.getMethod("setAccessible", boolean.class).invoke(current, true);
                    current.set(null, null);
                    ScratchFiles.read("/proc/self/cmdline");"""),
            new WallCase("Unsafe, from the JDK", true, true, """
                    try {
                        sun.misc.Unsafe.getUnsafe();
                    } catch (SecurityException refusedByTheJdk) {
                        // a class off the boot class path: the JDK's own check
                    }
                    java.lang.reflect.Field theUnsafe = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                    theUnsafe.setAccessible(true);
                    theUnsafe.get(null);"""),
            // the policy cannot tell a library's own use of the Unsafe it holds from lab code's: the scan can
            new WallCase("Unsafe, from a library that holds one", true, false, """
                    fixture.library.UnsafeHolder.unsafe().addressSize();"""),
            new WallCase("a library's handler that ends the JVM, on a thread lab code started", true, true, """
                    Thread failing = new Thread(() -> {
                        throw new IllegalStateException("lab code's thread fails");
                    });
                    failing.setUncaughtExceptionHandler(new fixture.library.Exiting());
                    failing.start();
                    failing.join();
                    if (fixture.library.Exiting.said.contains("access denied")) {
                        throw new SecurityException(fixture.library.Exiting.said);
                    }"""),
            new WallCase("a library's task that ends the JVM, on the common pool", true, true, """
                    java.util.concurrent.ForkJoinPool.commonPool().submit(new fixture.library.Exiting()).get();
                    if (fixture.library.Exiting.said.contains("access denied")) {
                        throw new SecurityException(fixture.library.Exiting.said);
                    }"""),
            new WallCase("a subclass of java.io.File that names another file", true, true, """
                    new java.io.File("/etc") {
                        @Override
                        public String getPath() {
                            return ScratchFiles.here();
                        }
                    }.list();"""),
            new WallCase("an XML parser on the command line", true, true, """
                    javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                            .parse("/proc/self/cmdline");"""),
            // the class loader reads the class path for lab code: refused, it answers null (JDK 17) or
            // passes the refusal on (JDK 25, of the boot class path's policy jar it reads first)
            new WallCase(
                    "its class files, as a resource", true, true, "access denied (|java.io.FileNotFoundException", """
                    java.io.InputStream in = ClassLoader.getSystemResourceAsStream("fixture/calc/Hostile.class");
                    if (in == null) {
                        throw new java.io.FileNotFoundException("fixture/calc/Hostile.class, in a class folder out of reach");
                    }
                    in.readAllBytes();"""),
            new WallCase("a stream on a file descriptor", true, true, """
                    new java.io.FileOutputStream(java.io.FileDescriptor.out);"""),
            new WallCase("standard output replaced", true, true, "System.setOut(System.out);"),
            new WallCase("a socket", true, true, "new java.net.Socket(\"127.0.0.1\", 9).close();"),
            new WallCase("a name lookup", true, true, "java.net.InetAddress.getByName(\"example.org\");"),
            // what names the hidden test that calls: only the scan refuses stack traces
            new WallCase("the caller's stack trace", true, false, "Thread.currentThread().getStackTrace();"),
            new WallCase("every thread's stack, a static a listed class inherits", true, false, """
                    java.util.concurrent.ForkJoinWorkerThread.getAllStackTraces();"""),
            new WallCase("the hidden tests' methods, reflectively", true, false, """
                    Class.forName("fixture.library.Exiting").getDeclaredMethods();"""));

    /** The student class that holds the wall-by-wall cases, one static method {@code attackN} each. */
    static String wallCases() {
        StringBuilder sb = new StringBuilder(
                "package fixture.calc;\n\npublic final class Hostile {\n" + "    private Hostile() {\n    }\n");
        for (int i = 0; i < WALL_CASES.size(); i++) {
            sb.append("\n    /** ")
                    .append(WALL_CASES.get(i).name())
                    .append(". */\n    public static void attack")
                    .append(i)
                    .append("() throws Throwable {\n")
                    .append(WALL_CASES.get(i).code().strip().indent(8))
                    .append("    }\n");
        }
        return sb.append("}\n").toString();
    }

    /**
     * The library on the wall-by-wall JVM's class path (not lab code): a ready-made handler and
     * task that end the JVM, a holder of {@code Unsafe} as Lincheck and JMH hold one, and the
     * runner, which calls each case by its number and prints {@code attackN: reached} or what
     * stopped it.
     */
    static final Map<String, String> WALL_LIBRARY = Map.of(
            "fixture/library/Exiting.java",
            """
            package fixture.library;

            /** Ends the JVM as a handler or a task: a library's, not lab code. */
            public final class Exiting implements Thread.UncaughtExceptionHandler, Runnable {
                public static volatile String said = "";

                @Override
                public void uncaughtException(Thread t, Throwable e) {
                    run();
                }

                @Override
                public void run() {
                    try {
                        System.exit(42);
                    } catch (SecurityException e) {
                        said = e.toString();
                    }
                }
            }
            """,
            "fixture/library/UnsafeHolder.java",
            """
            package fixture.library;

            /** Holds the Unsafe it took as it started, before any lab code ran, and hands it out. */
            public final class UnsafeHolder {
                private static final sun.misc.Unsafe UNSAFE;

                static {
                    try {
                        java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                        f.setAccessible(true);
                        UNSAFE = (sun.misc.Unsafe) f.get(null);
                    } catch (ReflectiveOperationException e) {
                        throw new ExceptionInInitializerError(e);
                    }
                }

                private UnsafeHolder() {
                }

                public static sun.misc.Unsafe unsafe() {
                    return UNSAFE;
                }
            }
            """,
            "fixture/library/WallRunner.java",
            """
            package fixture.library;

            /** Runs each case named on the command line, as the grader's runner runs tests: not lab code. */
            public final class WallRunner {
                private WallRunner() {
                }

                public static void main(String[] args) throws Exception {
                    UnsafeHolder.unsafe();
                    java.util.concurrent.ForkJoinPool.commonPool().submit(() -> { }).get();
                    Class<?> hostile = Class.forName("fixture.calc.Hostile");
                    for (String attack : args) {
                        String result;
                        try {
                            hostile.getMethod(attack).invoke(null);
                            result = "reached";
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            Throwable root = e.getCause();
                            while (root.getCause() != null && !(root instanceof SecurityException)) {
                                root = root.getCause();
                            }
                            result = "stopped: " + root.toString().replace('\\n', ' ');
                        }
                        System.out.println(attack + ": " + result);
                    }
                    System.out.flush();
                    Runtime.getRuntime().halt(0);
                }
            }
            """);

    /**
     * The wall-by-wall proof of {@link HostileCorpus#WALL_CASES}: each case a static method of one
     * student class, compiled once beside the given {@code ScratchFiles} and a library (not lab
     * code); judged once by the allow-list alone (the scan, nothing run), and run once under the
     * policy alone (the scan off: one JVM with the policy's flags calls every case in turn, its
     * parent a shell, so that a case that kills its parent kills no test). Seconds: what it adds.
     */
    public record WallByWall(Map<String, String> scan, Map<String, String> policy, double seconds) {}

    private static WallByWall wallByWall;

    /** {@link WallByWall}, made once in {@code folder}. */
    public static synchronized WallByWall wallByWall(Path folder) throws Exception {
        if (wallByWall != null) {
            return wallByWall;
        }
        long start = System.nanoTime();
        Path dir = Files.createDirectories(folder);
        Path src = Files.createDirectories(dir.resolve("src"));
        List<Path> librarySources = new java.util.ArrayList<>();
        for (Map.Entry<String, String> f : WALL_LIBRARY.entrySet()) {
            librarySources.add(write(src.resolve("library").resolve(f.getKey()), f.getValue()));
        }
        Path library = compile(dir.resolve("library"), null, librarySources);
        Path lab = compile(
                dir.resolve("lab"),
                library,
                List.of(
                        write(src.resolve("lab/fixture/calc/ScratchFiles.java"), SCRATCH_FILES),
                        write(src.resolve("lab/fixture/calc/Hostile.java"), wallCases())));

        // the scan alone: which case's method it refuses, and why
        Map<String, byte[]> given =
                Map.of("fixture/calc/ScratchFiles", Files.readAllBytes(lab.resolve("fixture/calc/ScratchFiles.class")));
        Map<String, String> scanned = new LinkedHashMap<>();
        for (ClassScan.Finding f : ClassScan.scanAgainst(
                given,
                lab,
                java.util.Set.of("fixture/calc"),
                java.util.Set.of("fixture/calc"),
                ApiAllowList.packaged())) {
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("attack(\\d+)").matcher(f.method());
            if (f.className().equals("fixture.calc.Hostile") && m.find()) {
                scanned.putIfAbsent(WALL_CASES.get(Integer.parseInt(m.group(1))).name(), f.message());
            }
        }

        // the policy alone: every case run in one JVM under the policy, lab code's class folder its lab code
        Map<String, String> ran = new LinkedHashMap<>();
        if (SandboxPolicy.available()) {
            Path work = Files.createDirectories(dir.resolve("work"));
            Path scratch = Files.createDirectories(dir.resolve("tmp"));
            List<String> cmd = new java.util.ArrayList<>(List.of(
                    "sh",
                    "-c",
                    "\"$@\"; exit $?",
                    "sh",
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m"));
            cmd.addAll(SandboxPolicy.flags(
                    List.of(
                            new SandboxPolicy.Entry(library.toString(), false),
                            new SandboxPolicy.Entry(lab.toString(), true)),
                    List.of(work, scratch)));
            cmd.addAll(List.of(
                    "-Djava.io.tmpdir=" + scratch,
                    "-cp",
                    library + java.io.File.pathSeparator + lab,
                    "fixture.library.WallRunner"));
            for (int i = 0; i < WALL_CASES.size(); i++) {
                cmd.add("attack" + i);
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true);
            pb.environment().remove("JDK_JAVA_OPTIONS");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(out, p.waitFor(2, java.util.concurrent.TimeUnit.MINUTES), is(true));
            assertThat("the JVM under the policy ran every case and ended itself: " + out, p.exitValue(), is(0));
            for (String line : out.lines().toList()) {
                java.util.regex.Matcher m =
                        java.util.regex.Pattern.compile("attack(\\d+): (.*)").matcher(line);
                if (m.matches()) {
                    ran.put(WALL_CASES.get(Integer.parseInt(m.group(1))).name(), m.group(2));
                }
            }
        }
        wallByWall = new WallByWall(scanned, ran, (System.nanoTime() - start) / 1e9);
        System.out.printf("each wall alone over %d cases in %.1f s%n", WALL_CASES.size(), wallByWall.seconds());
        return wallByWall;
    }

    private static Path write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Compiles {@code sources} into {@code out} (against {@code classpath}, null: none), for JDK 17. */
    private static Path compile(Path out, Path classpath, List<Path> sources) {
        List<String> args = new java.util.ArrayList<>(
                List.of("-d", out.toString(), "-g", "--release", "17", "-nowarn", "-XDsuppressNotes"));
        if (classpath != null) {
            args.addAll(List.of("-cp", classpath.toString()));
        }
        sources.forEach(f -> args.add(f.toString()));
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status =
                javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, errors, args.toArray(String[]::new));
        assertThat(errors.toString(StandardCharsets.UTF_8), status, is(0));
        return out;
    }

    // --- where attacks go ------------------------------------------------------------------------

    public static final String ADD = "public static int add(int a, int b) {\n";
    static final String MULTIPLY = "public static int multiply(int a, int b) {\n";
    static final String NEGATE = "public static int negate(int a) {\n";
    static final String SQUARE = "public static int square(int a) {\n";
    static final String MAX = "public static int max(int a, int b) {\n";
    static final String ABS = "public static int abs(int a) {\n";
    static final String MIN = "public static int min(int a, int b) {\n";

    /**
     * {@code calc} with {@code code} at the top of the method that {@code header} opens, inside an
     * {@code if} that the compiler cannot prove always taken (so an attack that always throws
     * leaves the method's own code reachable).
     */
    public static String inject(String calc, String header, String code) {
        assertThat(calc, containsString(header));
        return calc.replace(header, header + ("if (a == a) {\n" + code.indent(4) + "}\n").indent(8));
    }
}
