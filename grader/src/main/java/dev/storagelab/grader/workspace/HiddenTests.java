package dev.storagelab.grader.workspace;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds a lab's graded hidden tests in a built workspace: the classes compiled from the lab's
 * {@code src/hidden/java}, and their methods annotated {@code @dev.storagelab.lab.Graded}. The
 * classes are loaded without being initialised, so no test or student code runs here.
 */
public final class HiddenTests {

    private static final String GRADED = "dev.storagelab.lab.Graded";

    /** Annotations that make a method a test, for local checks over the public tests. */
    private static final java.util.Set<String> TEST_ANNOTATIONS = java.util.Set.of(
            "org.junit.jupiter.api.Test",
            "org.junit.jupiter.params.ParameterizedTest",
            "org.junit.jupiter.api.RepeatedTest",
            "net.jqwik.api.Property",
            "net.jqwik.api.Example");

    /** The concept shown for a public test graded as a local check. */
    public static final String LOCAL_CHECK =
            "public test (a local check: the hidden tests are not in a student release): ";

    /** Whether {@code concept} is a public test's, graded as a local check in a student release. */
    public static boolean isLocalCheck(String concept) {
        return concept.startsWith(LOCAL_CHECK);
    }

    private HiddenTests() {}

    /**
     * The graded tests of {@code lab} in the built workspace {@code root}, sorted by id. A lab
     * without hidden tests (a student release) gets its public tests instead, one point each, as
     * local checks run with the same supervision.
     */
    public static List<GradedTest> scan(Path root, Lab lab, Rubric rubric) throws IOException {
        Path module = root.resolve(lab.directory());
        Path hidden = module.resolve("src/hidden/java");
        boolean local = !Files.isDirectory(hidden);
        if (local) {
            hidden = module.resolve("src/test/java");
            if (!Files.isDirectory(hidden)) {
                return List.of();
            }
        }
        Path sources = hidden;
        List<HandoutTasks.Task> handoutTasks = handoutTasks(module);
        java.util.Map<String, String> taskOfClass = new java.util.HashMap<>();
        java.util.Map<String, String> taskNames = new java.util.HashMap<>();
        for (HandoutTasks.Task t : handoutTasks) {
            if (t.id().matches("T\\d+")) {
                t.testClasses().forEach(c -> taskOfClass.putIfAbsent(c, t.id()));
                taskNames.put(t.id(), t.name());
            }
        }
        List<Path> testFiles;
        try (Stream<Path> files = Files.walk(hidden)) {
            testFiles =
                    files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        // Local checks count the tests of student work, not of the given code: the tests of packages
        // with a file that still has a task to write, and the tests a task of the handout lists
        // (once every task of a package is written, no file of it has a throw left).
        java.util.Set<String> studentPackages = local ? studentPackages(module.resolve("src/main/java")) : null;
        List<String> classNames = new ArrayList<>();
        for (Path p : testFiles) {
            if (studentPackages == null
                    || studentPackages.contains(
                            sources.relativize(p.getParent()).toString())
                    || taskOfClass.containsKey(p.getFileName().toString().replaceFirst("\\.java$", ""))) {
                String rel = sources.relativize(p).toString();
                classNames.add(rel.substring(0, rel.length() - ".java".length()).replace('/', '.'));
            }
        }
        List<GradedTest> tests = new ArrayList<>();
        try (URLClassLoader loader =
                new URLClassLoader(toUrls(LabBuild.testClasspath(module)), ClassLoader.getPlatformClassLoader())) {
            for (String name : classNames) {
                Class<?> cls;
                try {
                    cls = Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new IOException(
                            "hidden test class " + name + " is not in the build of " + lab.directory(), e);
                }
                if (java.lang.reflect.Modifier.isAbstract(cls.getModifiers()) || cls.isInterface()) {
                    continue; // its tests run, and are counted, in its concrete subclasses
                }
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
                    for (Method m : c.getDeclaredMethods()) {
                        if (!seen.add(m.getName())) {
                            continue;
                        }
                        for (Annotation a : m.getAnnotations()) {
                            String type = a.annotationType().getName();
                            String id = name + "#" + m.getName();
                            if (local && TEST_ANNOTATIONS.contains(type)) {
                                // the concept its behaviour name states, as ./storagelab test prints it
                                String task = taskOfClass.getOrDefault(cls.getSimpleName(), "");
                                tests.add(new GradedTest(
                                        lab.id(),
                                        id,
                                        1,
                                        LOCAL_CHECK + HandoutTasks.concept(m.getName()),
                                        task,
                                        taskNames.getOrDefault(task, "")));
                                break;
                            }
                            if (!local && type.equals(GRADED)) {
                                int declared = (int) invoke(a, "points");
                                String concept = (String) invoke(a, "concept");
                                String task = task(a);
                                tests.add(new GradedTest(
                                        lab.id(),
                                        id,
                                        rubric.points(id, declared),
                                        concept,
                                        task,
                                        taskNames.getOrDefault(task, "")));
                            }
                        }
                    }
                }
            }
        }
        tests.sort(Comparator.comparing(GradedTest::id));
        return tests;
    }

    /** The classes (fully qualified) of the {@code .java} files under {@code dir} of {@code lab}'s module, sorted. */
    public static List<String> classNames(Path root, Lab lab, String dir) throws IOException {
        Path sources = root.resolve(lab.directory()).resolve(dir);
        if (!Files.isDirectory(sources)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(sources)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .sorted()
                    .map(p -> sources.relativize(p)
                            .toString()
                            .replaceAll("\\.java$", "")
                            .replace('/', '.'))
                    .toList();
        }
    }

    /** The packages (as relative directories) with a file holding a solution region or its throw. */
    private static java.util.Set<String> studentPackages(Path mainSources) throws IOException {
        java.util.Set<String> packages = new java.util.HashSet<>();
        if (!Files.isDirectory(mainSources)) {
            return packages;
        }
        try (Stream<Path> files = Files.walk(mainSources)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(p);
                if (text.contains("// BEGIN SOLUTION")
                        || text.contains("new dev.storagelab.lab.NotImplementedException(")) {
                    packages.add(mainSources.relativize(p.getParent()).toString());
                }
            }
        }
        return packages;
    }

    /** {@code @Graded}'s task, empty when it names none (or the annotation predates the member). */
    private static String task(Annotation a) {
        try {
            return (String) a.annotationType().getMethod("task").invoke(a);
        } catch (ReflectiveOperationException e) {
            return "";
        }
    }

    /** The tasks of the table at the top of the lab's handout ({@code module/README.md}), if it has one. */
    private static List<HandoutTasks.Task> handoutTasks(Path module) throws IOException {
        Path handout = module.resolve("README.md");
        return Files.isRegularFile(handout)
                ? HandoutTasks.tasks(Files.readAllLines(handout, java.nio.charset.StandardCharsets.UTF_8))
                : List.of();
    }

    private static Object invoke(Annotation a, String member) throws IOException {
        try {
            return a.annotationType().getMethod(member).invoke(a);
        } catch (ReflectiveOperationException e) {
            throw new IOException("cannot read @Graded." + member, e);
        }
    }

    private static URL[] toUrls(List<Path> paths) throws IOException {
        URL[] urls = new URL[paths.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = paths.get(i).toUri().toURL();
        }
        return urls;
    }
}
