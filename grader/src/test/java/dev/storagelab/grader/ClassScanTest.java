package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scan of student classes against the list of APIs lab code may use ({@code
 * grader/allowed-apis.txt}). Its rules are checked on small classes compiled here; the reference of
 * every lab must pass it.
 */
class ClassScanTest {

    @TempDir
    Path tmp;

    /** Compiles {@code sources} (path under src/main/java to text) into a classes folder. */
    private Path compile(Map<String, String> sources) throws IOException {
        return compile(sources, null);
    }

    /** {@link #compile(Map)} against the classes in {@code classpath} too (null: none). */
    private Path compile(Map<String, String> sources, Path classpath) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path out = Files.createDirectories(tmp.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-g"));
        if (classpath != null) {
            args.addAll(List.of("-cp", classpath.toString()));
        }
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, args.toArray(String[]::new));
        assertThat("the test's sources compile", status, is(0));
        return out;
    }

    private static final Set<String> LAB = Set.of("dev/storagelab/sortedlog");

    private List<String> scanAll(Map<String, String> sources) throws IOException {
        return ClassScan.scanAgainst(Map.of(), compile(sources), LAB, LAB, ApiAllowList.packaged()).stream()
                .map(ClassScan.Finding::message)
                .toList();
    }

    @Test
    void findingNamesTheClassTheMethodTheFileTheLineAndTheCall() throws IOException {
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/LogWriter.java", """
                package dev.storagelab.sortedlog;
                public class LogWriter {
                    static byte[] encode(byte[] b) {
                        System.exit(0);
                        return b;
                    }
                }
                """));
        assertThat(
                found,
                contains(
                        "forbidden API: dev.storagelab.sortedlog.LogWriter.encode (LogWriter.java:4) calls"
                                + " java.lang.System.exit: not on the list of APIs lab code may use (grader/allowed-apis.txt)"));
    }

    /**
     * Every property the labs' own engines read ({@code "storagelab.…"} named in their sources) is
     * a workspace switch, so the reference passes the scan and the policy reads it (SandboxPolicyTest
     * reads each switch under the policy): a switch added to a lab without one is caught here, not
     * by a reference grade whose tests all fail.
     */
    @Test
    void everyPropertyTheLabsReadIsAWorkspaceSwitch() throws IOException {
        java.util.regex.Pattern named = java.util.regex.Pattern.compile("\"(storagelab\\.[A-Za-z.]+)\"");
        java.util.Set<String> read = new java.util.TreeSet<>();
        try (var labs = Files.list(Fixtures.realWorkspace())) {
            for (Path lab : labs.filter(p -> p.getFileName().toString().startsWith("lab-"))
                    .toList()) {
                try (var files = Files.walk(lab.resolve("src/main/java"))) {
                    for (Path f :
                            files.filter(p -> p.toString().endsWith(".java")).toList()) {
                        named.matcher(Files.readString(f)).results().forEach(m -> read.add(m.group(1)));
                    }
                }
            }
        }
        assertThat("the labs read properties", read.isEmpty(), is(false));
        for (String name : read) {
            assertThat(name + " is read by a lab", ClassScan.WORKSPACE_SWITCHES.contains(name), is(true));
        }
    }

    @Test
    void whatTheOldDenyListNamedIsRefused() throws IOException {
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/Evil.java", """
                package dev.storagelab.sortedlog;
                import java.nio.file.Files;
                import java.nio.file.Path;
                public class Evil extends ClassLoader {
                    void parent() { ProcessHandle.current().parent().ifPresent(ProcessHandle::destroyForcibly); }
                    void halt() { Runtime.getRuntime().halt(1); }
                    void fork() throws Exception { new ProcessBuilder("sh").start(); }
                    void props() { System.getProperty("sun.java.command"); System.getenv("HOME"); }
                    static final String SWITCH = "storagelab.btree.treeLock";
                    void computed(boolean b) { Boolean.getBoolean(b ? "storagelab.btree.treeLock" : "sun.java.command"); }
                    void fine() { Boolean.getBoolean(SWITCH); }
                    void seed() { System.getProperty("storagelab.answers.seed"); }
                    void streams() { System.setOut(System.err); }
                    void reflect() throws Exception { Class.forName("x").getDeclaredField("f").setAccessible(true); }
                    void load() throws Exception { defineClass("x", new byte[0], 0, 0); }
                    void resources() { Evil.class.getResourceAsStream("/dev/storagelab/sortedlog/HiddenTest.class"); }
                    void files() throws Exception { Files.write(Path.of("x"), new byte[1]); new java.io.RandomAccessFile("x", "rw"); }
                    native void jni();
                    static {
                        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.exit(3)));
                    }
                    void later() { new Thread(() -> Runtime.getRuntime().halt(2)).start(); }
                }
                """));
        String all = String.join("\n", found);
        assertThat("a workspace switch named by a constant may be read", all, not(containsString("Evil.fine")));
        for (String expected : List.of(
                "Evil (Evil.java) extends java.lang.ClassLoader",
                "Evil.parent (Evil.java:5) calls java.lang.ProcessHandle.current",
                "Evil.parent (Evil.java:5) refers to java.lang.ProcessHandle.destroyForcibly",
                "Evil.halt (Evil.java:6) calls java.lang.Runtime.getRuntime",
                "Evil.fork (Evil.java:7) calls java.lang.ProcessBuilder constructor",
                "Evil.props (Evil.java:8) calls java.lang.System.getProperty",
                "Evil.props (Evil.java:8) calls java.lang.System.getenv",
                "Evil.computed (Evil.java:10) calls java.lang.Boolean.getBoolean: refused by grader/allowed-apis.txt (reads a system property",
                "Evil.seed (Evil.java:12) calls java.lang.System.getProperty",
                "Evil.streams (Evil.java:13) calls java.lang.System.setOut",
                "Evil.reflect (Evil.java:14) calls java.lang.Class.forName",
                "Evil.reflect (Evil.java:14) calls java.lang.reflect.Field.setAccessible",
                "Evil.load (Evil.java:15) calls dev.storagelab.sortedlog.Evil.defineClass",
                "Evil.resources (Evil.java:16) calls java.lang.Class.getResourceAsStream",
                "Evil.files (Evil.java:17) calls java.nio.file.Files.write",
                "Evil.files (Evil.java:17) calls java.io.RandomAccessFile constructor",
                "Evil.jni (Evil.java) is a native method",
                "Evil static initializer (Evil.java:20) calls java.lang.Runtime.addShutdownHook",
                "Evil.later (in a lambda) (Evil.java:22) calls java.lang.Runtime.halt")) {
            assertThat(all, found.stream().anyMatch(f -> f.contains(expected)), is(true));
        }
    }

    /** Powers the deny-list never named: refused because nobody allowed them. */
    @Test
    void powersNobodyNamedAreRefusedToo() throws IOException {
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/Sly.java", """
                package dev.storagelab.sortedlog;
                public class Sly {
                    void jshell() { jdk.jshell.JShell.create().eval("System.exit(0)"); }
                    void compiler() { javax.tools.ToolProvider.getSystemJavaCompiler(); }
                    void xml() throws Exception {
                        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse("/etc/passwd");
                    }
                    void sound() throws Exception { javax.sound.sampled.AudioSystem.getAudioInputStream(new java.net.URL("file:/x")); }
                    void bundle() { java.util.ResourceBundle.getBundle("dev.storagelab.sortedlog.hidden.X"); }
                    void services() { java.util.ServiceLoader.load(Runnable.class); }
                    String caller() { return new IllegalStateException().getStackTrace()[1].getClassName(); }
                    String walker() { return StackWalker.getInstance().walk(s -> s.toList()).toString(); }
                    void threads() { Thread.getAllStackTraces(); Thread.currentThread().getStackTrace(); }
                    void scanner() throws Exception { new java.util.Scanner(java.nio.file.Path.of("/etc/passwd")); }
                    void stream() throws Exception { new java.io.PrintStream("x"); }
                    void loader() { Sly.class.getClassLoader(); Thread.currentThread().getContextClassLoader(); }
                    void locale() { java.util.Locale.setDefault(java.util.Locale.GERMAN); }
                    void guava() throws Exception { com.google.common.io.Files.toByteArray(new java.io.File("x")); }
                }
                """));
        String all = String.join("\n", found);
        for (String expected : List.of(
                "Sly.jshell (Sly.java:3) calls jdk.jshell.JShell.create",
                "Sly.compiler (Sly.java:4) calls javax.tools.ToolProvider.getSystemJavaCompiler",
                "Sly.xml (Sly.java:6) calls javax.xml.parsers.DocumentBuilderFactory.newInstance",
                "Sly.sound (Sly.java:8) calls javax.sound.sampled.AudioSystem.getAudioInputStream",
                "Sly.sound (Sly.java:8) calls java.net.URL constructor",
                "Sly.bundle (Sly.java:9) calls java.util.ResourceBundle.getBundle: refused by grader/allowed-apis.txt (loads resources",
                "Sly.services (Sly.java:10) calls java.util.ServiceLoader.load: refused",
                "Sly.caller (Sly.java:11) calls java.lang.IllegalStateException.getStackTrace: refused by grader/allowed-apis.txt (a stack"
                        + " trace names the hidden test",
                "Sly.caller (Sly.java:11) calls java.lang.StackTraceElement.getClassName",
                "Sly.walker (Sly.java:12) calls java.lang.StackWalker.getInstance",
                "Sly.threads (Sly.java:13) calls java.lang.Thread.getAllStackTraces",
                "Sly.threads (Sly.java:13) calls java.lang.Thread.getStackTrace",
                "Sly.scanner (Sly.java:14) calls java.util.Scanner constructor: refused",
                "Sly.stream (Sly.java:15) calls java.io.PrintStream constructor: refused",
                "Sly.loader (Sly.java:16) calls java.lang.Class.getClassLoader",
                "Sly.loader (Sly.java:16) calls java.lang.Thread.getContextClassLoader",
                "Sly.locale (Sly.java:17) calls java.util.Locale.setDefault: refused",
                "Sly.guava (Sly.java:18) calls com.google.common.io.Files.toByteArray")) {
            assertThat(all, found.stream().anyMatch(f -> f.contains(expected)), is(true));
        }
    }

    /**
     * A member is judged as the type that declares it: an allowed type ({@code java.util.concurrent}
     * is allowed whole) opens none of what it inherits from a type the list does not allow ({@code
     * ForkJoinWorkerThread} inherits every thread's stack traces from {@code Thread}), while what it
     * inherits from an allowed type, or from a class that is no API, stays allowed.
     */
    @Test
    void anAllowedTypeOpensNothingItInheritsFromATypeTheListDoesNotAllow() throws IOException {
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/Heir.java", """
                package dev.storagelab.sortedlog;
                import java.util.concurrent.ForkJoinWorkerThread;
                public class Heir {
                    Object stacks() { return ForkJoinWorkerThread.getAllStackTraces(); }
                    void dump() { ForkJoinWorkerThread.dumpStack(); }
                    void handler() { ForkJoinWorkerThread.setDefaultUncaughtExceptionHandler(null); }
                    Object trace(ForkJoinWorkerThread t) { return t.getStackTrace(); }
                    Object fine(ForkJoinWorkerThread t, java.io.DataInputStream in, StringBuilder sb, java.util.Random r)
                            throws java.io.IOException {
                        in.close();
                        return t.getName() + t.getPool() + sb.length() + r.nextInt(1, 7) + in.available();
                    }
                }
                """));
        String all = String.join("\n", found);
        for (String expected : List.of(
                "Heir.stacks (Heir.java:4) calls java.util.concurrent.ForkJoinWorkerThread.getAllStackTraces: not on the list",
                "Heir.dump (Heir.java:5) calls java.util.concurrent.ForkJoinWorkerThread.dumpStack: not on the list",
                "Heir.handler (Heir.java:6) calls java.util.concurrent.ForkJoinWorkerThread.setDefaultUncaughtExceptionHandler",
                "Heir.trace (Heir.java:7) calls java.util.concurrent.ForkJoinWorkerThread.getStackTrace")) {
            assertThat(all, found.stream().anyMatch(f -> f.contains(expected)), is(true));
        }
        assertThat(all, found.stream().noneMatch(f -> f.contains("Heir.fine")), is(true));
        ApiAllowList list = ApiAllowList.parse(
                "java.util.concurrent.*  # concurrency\njava.lang.Thread#getName  # names\n", "list.txt");
        assertThat(
                list.judge("java/util/concurrent/ForkJoinWorkerThread", "getAllStackTraces", "()Ljava/util/Map;")
                        .allowed(),
                is(false));
        assertThat(
                list.judge("java/util/concurrent/ForkJoinWorkerThread", "getName", "()Ljava/lang/String;")
                        .allowed(),
                is(true));
        assertThat(
                "declared by the allowed type itself",
                list.judge(
                                "java/util/concurrent/ForkJoinWorkerThread",
                                "getPool",
                                "()Ljava/util/concurrent/ForkJoinPool;")
                        .allowed(),
                is(true));
    }

    /**
     * The test JVM lets Lincheck's own work inside its instrumentation hooks past the lab's
     * permissions ({@code LabPolicy}, the in-JVM policy); a student class that calls a hook itself, to run
     * with that exception, is refused before any test runs.
     */
    @Test
    void aCallOfLincheckHooksIsRefused() throws IOException {
        // The hook class as the test JVM has it (on the boot class path), compiled apart: it is
        // not the student's.
        Path hooks = Files.createDirectories(tmp.resolve("hooks"));
        Path stub = Files.createDirectories(hooks.resolve("src/sun/nio/ch/lincheck"))
                .resolve("Injections.java");
        Files.writeString(
                stub, "package sun.nio.ch.lincheck; public class Injections { public static void beforeRead() {} }");
        int status = ToolProvider.getSystemJavaCompiler()
                .run(null, null, null, "-d", hooks.resolve("classes").toString(), stub.toString());
        assertThat("the hook class compiles", status, is(0));
        List<String> found = ClassScan.scanAgainst(
                        Map.of(),
                        compile(Map.of("dev/storagelab/sortedlog/Borrow.java", """
                                        package dev.storagelab.sortedlog;
                                        public class Borrow { void hook() { sun.nio.ch.lincheck.Injections.beforeRead(); } }
                                        """), hooks.resolve("classes")),
                        LAB,
                        LAB,
                        ApiAllowList.packaged())
                .stream()
                .map(ClassScan.Finding::message)
                .toList();
        assertThat(
                String.join("\n", found),
                found.stream()
                        .anyMatch(f -> f.contains(
                                "Borrow.hook (Borrow.java:2) calls sun.nio.ch.lincheck.Injections.beforeRead")),
                is(true));
    }

    @Test
    void ordinaryEngineCodeVarHandlesOnOwnFieldsAndStorageExceptionsPass() throws IOException {
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/Node.java", """
                package dev.storagelab.sortedlog;
                import java.lang.invoke.MethodHandles;
                import java.lang.invoke.VarHandle;
                import java.util.*;
                import java.util.concurrent.*;
                public class Node extends Thread implements Comparable<Node> {
                    volatile Node next;
                    static final VarHandle NEXT;
                    static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Node[].class);
                    static {
                        try {
                            NEXT = MethodHandles.lookup().findVarHandle(Node.class, "next", Node.class);
                        } catch (ReflectiveOperationException e) {
                            throw new ExceptionInInitializerError(e);
                        }
                    }
                    record Pair(String a, int b) { }
                    static final class Missing extends java.nio.file.NoSuchFileException {
                        Missing(String name) {
                            super(name);
                        }
                    }
                    public int compareTo(Node o) {
                        return Integer.compare(hashCode(), o.hashCode());
                    }
                    void open(String name, boolean exists) throws java.io.IOException {
                        if (!exists) {
                            throw new java.nio.file.NoSuchFileException(name + " " + java.nio.file.StandardOpenOption.READ);
                        }
                    }
                    boolean link(Node n) throws Exception {
                        assert n != null;
                        System.out.println("linking " + n + System.lineSeparator() + getClass().getSimpleName() + getName());
                        Runnable r = () -> Thread.currentThread().getName();
                        r.run();
                        ExecutorService pool = Executors.newSingleThreadExecutor();
                        pool.submit(r).get();
                        pool.shutdown();
                        Map<String, List<Pair>> m = new TreeMap<>();
                        m.computeIfAbsent("x", k -> new ArrayList<>()).add(new Pair("y", 1));
                        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                        crc.update(java.nio.ByteBuffer.allocate(8).putLong(System.nanoTime()).array());
                        String s = switch (m.size()) { case 0 -> "none"; default -> "some" + crc.getValue(); };
                        return NEXT.compareAndSet(this, null, n) && !s.isEmpty() && !interrupted()
                                && com.google.common.base.Preconditions.checkNotNull(m) != null;
                    }
                }
                """));
        assertThat(found, is(empty()));
    }

    @Test
    void aLookupBeyondVarHandlesIsRefused() throws IOException {
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/Exit.java", """
                package dev.storagelab.sortedlog;
                import java.lang.invoke.MethodHandles;
                import java.lang.invoke.MethodType;
                public class Exit {
                    void exit() throws Throwable {
                        MethodHandles.lookup().findStatic(System.class, "exit", MethodType.methodType(void.class, int.class))
                                .invoke(0);
                    }
                }
                """));
        assertThat(
                found,
                hasItem("forbidden API: dev.storagelab.sortedlog.Exit.exit (Exit.java:6) calls"
                        + " java.lang.invoke.MethodHandles$Lookup.findStatic: " + ClassScan.NOT_LISTED));
    }

    @Test
    void aStudentClassOutsideTheLabsPackagesIsRejected() throws IOException {
        // a file under the lab's folder that declares JUnit's package, to stand in for its Assertions
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/Assertions.java", """
                package org.junit.jupiter.api;
                public class Assertions {
                    public static void assertEquals(Object a, Object b) {
                    }
                }
                """));
        assertThat(
                found,
                contains("forbidden API: org.junit.jupiter.api.Assertions (Assertions.java) is in package"
                        + " org.junit.jupiter.api, not one of [dev.storagelab.sortedlog]: " + ClassScan.PACKAGE));
    }

    /**
     * A student file that declares a class with the binary name of a given class's nested class:
     * its class is judged by its bytes, not trusted by its name.
     */
    @Test
    void aClassThatTakesAGivenClassesNameIsTheStudents() throws IOException {
        Path reference = compile(Map.of("dev/storagelab/sortedlog/Helper.java", """
                package dev.storagelab.sortedlog;
                public class Helper {
                    static class Cache {
                        int size() { return 0; }
                    }
                }
                """));
        Map<String, byte[]> given = new java.util.HashMap<>();
        for (String name : List.of("dev/storagelab/sortedlog/Helper", "dev/storagelab/sortedlog/Helper$Cache")) {
            given.put(name, Files.readAllBytes(reference.resolve(name + ".class")));
        }
        Path submission = tmp.resolve("submission");
        FileTrees.copy(reference, submission, p -> true);
        Path student = Files.createDirectories(tmp.resolve("student"));
        Files.writeString(student.resolve("Sly.java"), """
                package dev.storagelab.sortedlog;
                class Sly { }
                class Helper$Cache {
                    int size() { Runtime.getRuntime().halt(0); return 0; }
                }
                """);
        int status = ToolProvider.getSystemJavaCompiler()
                .run(
                        null,
                        null,
                        null,
                        "-d",
                        submission.toString(),
                        "-g",
                        student.resolve("Sly.java").toString());
        assertThat("the student's file compiles on its own", status, is(0));
        List<String> found = ClassScan.scanAgainst(given, submission, LAB, LAB, ApiAllowList.packaged()).stream()
                .map(ClassScan.Finding::message)
                .toList();
        assertThat(
                found,
                hasItem(containsString(
                        "dev.storagelab.sortedlog.Helper$Cache.size (Sly.java:4) calls java.lang.Runtime")));
        assertThat(
                "the given class, unchanged, is not the student's",
                found.stream().noneMatch(f -> f.contains("Helper ")),
                is(true));
    }

    @Test
    void theListNamesEveryEntrysReasonAndRefusesAMalformedLine() {
        assertThat(ApiAllowList.packaged().entries().size(), greaterThan(100));
        IllegalArgumentException noReason = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ApiAllowList.parse("java.lang.String\n", "list.txt"));
        assertThat(noReason.getMessage(), containsString("list.txt:1: an entry needs its reason"));
        IllegalArgumentException malformed = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> ApiAllowList.parse("# header\njava.lang.String#\n", "list.txt"));
        assertThat(malformed.getMessage(), containsString("list.txt:2: not an entry"));
        ApiAllowList list = ApiAllowList.parse(
                "java.util.*  # collections\n-java.util.ServiceLoader  # loads classes\n"
                        + "java.lang.Throwable  # exceptions\n-java.lang.Throwable#getStackTrace  # names callers\n",
                "list.txt");
        assertThat(list.judge("java/util/ArrayList", "add").allowed(), is(true));
        assertThat(list.judge("java/util/ServiceLoader", "load").why(), equalTo("loads classes"));
        assertThat(
                "not recursive",
                list.judge("java/util/prefs/Preferences", "userRoot").allowed(),
                is(false));
        assertThat(
                "taken out of subtypes too",
                list.judge("java/lang/IllegalStateException", "getStackTrace").why(),
                equalTo("names callers"));
    }

    private static Workspace realWorkspace() {
        return Workspace.at(Fixtures.realWorkspace());
    }

    private static Path classes(Lab lab) {
        Path classes = Fixtures.realWorkspace().resolve(lab.directory()).resolve("target/classes");
        assertThat(
                lab.directory() + " must be compiled before the grader's tests (the reactor builds the labs first): "
                        + classes,
                Files.isDirectory(classes),
                is(true));
        return classes;
    }

    @Test
    void theReferenceOfEveryLabPassesTheScan() throws IOException {
        for (Lab lab : realWorkspace().labs()) {
            classes(lab);
            // the classes of the files a student owns (those with regions), as grading scans them
            assertThat(
                    lab.id() + " reference, as a submission",
                    ClassScan.scanSubmission(Fixtures.realWorkspace(), Fixtures.realWorkspace(), lab),
                    is(empty()));
        }
    }

    @Test
    void onlyClassesFromRegionFilesAndAddedFilesAreTheStudents() throws IOException {
        Lab lab01 = realWorkspace().lab("01");
        classes(lab01);
        Set<String> given = ClassScan.givenClasses(Fixtures.realWorkspace(), lab01);
        assertThat(given, hasItem("dev/storagelab/lab/NotImplementedException"));
        assertThat(given, hasItem("dev/storagelab/io/DiskStorage"));
        assertThat(
                "BinarySearch holds regions: the student's",
                given,
                not(hasItem("dev/storagelab/sortedlog/BinarySearch")));
        try (Stream<Path> s = Files.list(
                Fixtures.realWorkspace().resolve(lab01.studentSources()).resolve("dev/storagelab/io"))) {
            assertThat(
                    "every I/O class is given",
                    s.count(),
                    equalTo(given.stream()
                            .filter(n -> n.startsWith("dev/storagelab/io/") && !n.contains("$"))
                            .count()));
        }
    }
}
