package dev.storagelab.grader;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
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
 * Issue 24, item 3: the scan of student classes for APIs a storage-engine lab has no use for.
 * Its rules are checked on small classes compiled here; the reference of every lab must pass it.
 */
class ClassScanTest {

    @TempDir
    Path tmp;

    /** Compiles {@code sources} (path under src/main/java to text) into a classes folder. */
    private Path compile(Map<String, String> sources) throws IOException {
        Path src = Files.createDirectories(tmp.resolve("src"));
        Path out = Files.createDirectories(tmp.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-g"));
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

    private List<String> scanAll(Map<String, String> sources) throws IOException {
        return ClassScan.scan(compile(sources), name -> true, name -> false, Set.of("dev/storagelab/sortedlog"))
                .stream().map(ClassScan.Finding::message).toList();
    }

    @Test
    void findingNamesTheClassTheMethodTheApiAndTheRule() throws IOException {
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/LogWriter.java", """
                package dev.storagelab.sortedlog;
                public class LogWriter {
                    static byte[] encode(byte[] b) {
                        System.exit(0);
                        return b;
                    }
                }
                """));
        assertThat(found, contains(
                "forbidden API: dev.storagelab.sortedlog.LogWriter.encode calls java.lang.System.exit (process control)"));
    }

    @Test
    void everyRuleOfTheIssueIsCaught() throws IOException {
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/Evil.java", """
                package dev.storagelab.sortedlog;
                import java.nio.file.Files;
                import java.nio.file.Path;
                public class Evil extends ClassLoader {
                    void parent() { ProcessHandle.current().parent().ifPresent(ProcessHandle::destroyForcibly); }
                    void halt() { Runtime.getRuntime().halt(1); }
                    void fork() throws Exception { new ProcessBuilder("sh").start(); }
                    void hook() { Runtime.getRuntime().addShutdownHook(new Thread(() -> { })); }
                    void props() { System.getProperty("sun.java.command"); System.getenv("HOME"); }
                    static final String SWITCH = "storagelab.x";
                    void computed(boolean b) { Boolean.getBoolean(b ? "storagelab.x" : "sun.java.command"); }
                    void fine() { Boolean.getBoolean(SWITCH); }
                    void commandLine() { java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(); }
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
                "Evil extends java.lang.ClassLoader (class loaders)",
                "Evil.parent calls java.lang.ProcessHandle.current (process control)",
                "Evil.parent refers to java.lang.ProcessHandle.destroyForcibly (process control)",
                "Evil.halt calls java.lang.Runtime.halt (process control)",
                "Evil.fork calls java.lang.ProcessBuilder constructor (process control)",
                "Evil.hook calls java.lang.Runtime.addShutdownHook (shutdown hooks)",
                "Evil.props calls java.lang.System.getProperty (system properties and the environment)",
                "Evil.props calls java.lang.System.getenv (system properties and the environment)",
                "Evil.computed calls java.lang.Boolean.getBoolean (system properties and the environment)",
                "Evil.commandLine calls java.lang.management.ManagementFactory.getRuntimeMXBean (system properties and the environment)",
                "Evil.streams calls java.lang.System.setOut (replacing the standard streams)",
                "Evil.reflect calls java.lang.Class.forName (reflection and method handles)",
                "Evil.reflect calls java.lang.reflect.Field.setAccessible (reflection and method handles)",
                "Evil.load calls dev.storagelab.sortedlog.Evil.defineClass (class loaders)",
                "Evil.resources calls java.lang.Class.getResourceAsStream (class path resources",
                "Evil.files calls java.nio.file.Files.write (direct file access",
                "Evil.files calls java.nio.file.Path.of (direct file access",
                "Evil.files calls java.io.RandomAccessFile constructor (direct file access",
                "Evil.jni is a native method (JNI native code)",
                "Evil static initializer calls java.lang.Runtime.addShutdownHook (shutdown hooks)",
                "Evil.later (in a lambda) calls java.lang.Runtime.halt (process control)")) {
            assertThat(all, found.stream().anyMatch(f -> f.contains(expected)), is(true));
        }
    }

    @Test
    void varHandlesOnOwnFieldsFileExceptionsAndOrdinaryCodePass() throws IOException {
        List<String> found = scanAll(Map.of("dev/storagelab/sortedlog/Node.java", """
                package dev.storagelab.sortedlog;
                import java.lang.invoke.MethodHandles;
                import java.lang.invoke.VarHandle;
                public class Node {
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
                    static final class Missing extends java.nio.file.NoSuchFileException {
                        Missing(String name) {
                            super(name);
                        }
                    }
                    void open(String name, boolean exists) throws java.io.IOException {
                        if (!exists) {
                            throw new java.nio.file.NoSuchFileException(name + " " + java.nio.file.StandardOpenOption.READ);
                        }
                    }
                    boolean link(Node n) {
                        System.out.println("linking " + n + System.lineSeparator());
                        Runnable r = () -> Thread.currentThread().getName();
                        r.run();
                        return NEXT.compareAndSet(this, null, n) && Runtime.getRuntime().availableProcessors() > 0;
                    }
                }
                """));
        assertThat(found, is(empty()));
    }

    @Test
    void aLookupBeyondVarHandlesIsReflection() throws IOException {
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
        assertThat(found, hasItem(
                "forbidden API: dev.storagelab.sortedlog.Exit.exit calls java.lang.invoke.MethodHandles$Lookup.findStatic"
                        + " (reflection and method handles)"));
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
        assertThat(found, contains("forbidden API: org.junit.jupiter.api.Assertions is in package org.junit.jupiter.api,"
                + " not one of [dev.storagelab.sortedlog] (class outside the lab's packages)"));
    }

    private static Workspace realWorkspace() {
        return Workspace.at(Fixtures.realWorkspace());
    }

    private static Path classes(Lab lab) {
        Path classes = Fixtures.realWorkspace().resolve(lab.directory()).resolve("target/classes");
        assertThat(lab.directory() + " must be compiled before the grader's tests (the reactor builds the labs first): "
                + classes, Files.isDirectory(classes), is(true));
        return classes;
    }

    @Test
    void theReferenceOfEveryLabPassesTheScan() throws IOException {
        for (Lab lab : realWorkspace().labs()) {
            Path classes = classes(lab);
            // every class, the I/O layer being the one place whose job is files
            List<ClassScan.Finding> all = ClassScan.scan(classes, name -> true,
                    name -> name.startsWith("dev/storagelab/io/"), null); // the I/O layer may use files
            assertThat(lab.id() + " reference, every class", all, is(empty()));
            // the classes a submission owns, as grading scans them
            assertThat(lab.id() + " reference, as a submission",
                    ClassScan.scanSubmission(Fixtures.realWorkspace(), Fixtures.realWorkspace(), lab), is(empty()));
        }
    }

    @Test
    void onlyClassesFromRegionFilesAndAddedFilesAreTheStudents() throws IOException {
        Lab lab01 = realWorkspace().lab("01");
        classes(lab01);
        Set<String> given = ClassScan.givenClasses(Fixtures.realWorkspace(), lab01);
        assertThat(given, hasItem("dev/storagelab/lab/NotImplementedException"));
        assertThat(given, hasItem("dev/storagelab/io/DiskStorage"));
        assertThat("BinarySearch holds regions: the student's", given, not(hasItem("dev/storagelab/sortedlog/BinarySearch")));
        try (Stream<Path> s = Files.list(Fixtures.realWorkspace().resolve(lab01.studentSources()).resolve("dev/storagelab/io"))) {
            assertThat("every I/O class is given", s.count(),
                    equalTo(given.stream().filter(n -> n.startsWith("dev/storagelab/io/") && !n.contains("$")).count()));
        }
    }
}
