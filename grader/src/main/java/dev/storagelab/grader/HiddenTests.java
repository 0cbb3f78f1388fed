package dev.storagelab.grader;

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

    private HiddenTests() {
    }

    /** The graded tests of {@code lab} in the built workspace {@code root}, sorted by id. */
    public static List<GradedTest> scan(Path root, Lab lab, Rubric rubric) throws IOException {
        Path module = root.resolve(lab.directory());
        Path hidden = module.resolve("src/hidden/java");
        if (!Files.isDirectory(hidden)) {
            return List.of();
        }
        List<String> classNames = new ArrayList<>();
        try (Stream<Path> files = Files.walk(hidden)) {
            files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(p -> {
                String rel = hidden.relativize(p).toString();
                classNames.add(rel.substring(0, rel.length() - ".java".length()).replace('/', '.'));
            });
        }
        List<GradedTest> tests = new ArrayList<>();
        try (URLClassLoader loader = new URLClassLoader(toUrls(LabBuild.testClasspath(module)),
                ClassLoader.getPlatformClassLoader())) {
            for (String name : classNames) {
                Class<?> cls;
                try {
                    cls = Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new IOException("hidden test class " + name + " is not in the build of " + lab.directory(), e);
                }
                for (Method m : cls.getDeclaredMethods()) {
                    for (Annotation a : m.getAnnotations()) {
                        if (a.annotationType().getName().equals(GRADED)) {
                            String id = name + "#" + m.getName();
                            int declared = (int) invoke(a, "points");
                            String concept = (String) invoke(a, "concept");
                            tests.add(new GradedTest(lab.id(), id, rubric.points(id, declared), concept));
                        }
                    }
                }
            }
        }
        tests.sort(Comparator.comparing(GradedTest::id));
        return tests;
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
