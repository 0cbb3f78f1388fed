package dev.storagelab.workbench.book;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A lab's tests, per task, as the task pages of the book state them, read from the sources (the
 * book runs no test and loads no class): how many public tests each test class of the task table
 * holds, and the points of the hidden tests whose {@code @Graded} names the task, with the
 * overrides of {@code grader/rubric.properties} (the grader's rule: {@code points.CLASS#method}).
 * A student's release has no hidden tests; its pages say so.
 */
final class TaskTests {

    /** What the hidden tests of one task are worth: their number and their points. */
    record Hidden(int tests, int points) {}

    /** A method that is a test: JUnit's and jqwik's annotations, as the grader counts a local check. */
    private static final Pattern TEST_METHOD =
            Pattern.compile("(?m)^\\s*@(?:Test|ParameterizedTest|RepeatedTest|Property|Example)\\b(?![.\\w])");

    private static final Pattern EXTENDS = Pattern.compile("\\bclass\\s+\\w+(?:<[^>{]*>)?\\s+extends\\s+(\\w+)");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    private static final Pattern METHOD = Pattern.compile("\\bvoid\\s+(\\w+)\\s*\\(");
    private static final Pattern TASK = Pattern.compile("\\btask\\s*=\\s*\"(T\\d+)\"");
    private static final Pattern POINTS = Pattern.compile("\\bpoints\\s*=\\s*(\\d+)");

    private final Path module;
    private final Map<String, Hidden> hidden;
    private final boolean hasHidden;
    private final Map<String, Path> publicSources = new HashMap<>();

    private TaskTests(Path module, Map<String, Hidden> hidden, boolean hasHidden) {
        this.module = module;
        this.hidden = hidden;
        this.hasHidden = hasHidden;
    }

    /** The tests of the lab module {@code module} of the workspace {@code root}. */
    static TaskTests of(Path root, Path module) throws IOException {
        Properties rubric = new Properties();
        Path rubricFile = root.resolve("grader/rubric.properties");
        if (Files.isRegularFile(rubricFile)) {
            try (Reader in = Files.newBufferedReader(rubricFile, StandardCharsets.UTF_8)) {
                rubric.load(in);
            }
        }
        Path hiddenDir = module.resolve("src/hidden/java");
        Map<String, Hidden> byTask = new HashMap<>();
        if (Files.isDirectory(hiddenDir)) {
            for (Path f : javaFiles(hiddenDir)) {
                graded(Files.readString(f, StandardCharsets.UTF_8), f, rubric, byTask);
            }
        }
        TaskTests t = new TaskTests(module, byTask, Files.isDirectory(hiddenDir));
        Path tests = module.resolve("src/test/java");
        if (Files.isDirectory(tests)) {
            for (Path f : javaFiles(tests)) {
                String name = f.getFileName().toString();
                t.publicSources.putIfAbsent(name.substring(0, name.length() - ".java".length()), f);
            }
        }
        return t;
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** Adds the {@code @Graded} tests of one hidden test class's {@code source} to {@code byTask}. */
    private static void graded(String source, Path file, Properties rubric, Map<String, Hidden> byTask) {
        Matcher pkg = PACKAGE.matcher(source);
        String name = file.getFileName().toString().replaceAll("\\.java$", "");
        String cls = pkg.find() ? pkg.group(1) + "." + name : name;
        int at = 0;
        while ((at = source.indexOf("@Graded(", at)) >= 0) {
            int end = closing(source, at + "@Graded".length());
            String args = source.substring(at, end);
            Matcher method = METHOD.matcher(source).region(end, source.length());
            Matcher task = TASK.matcher(args);
            Matcher points = POINTS.matcher(args);
            at = end;
            if (!method.find() || !points.find()) {
                continue;
            }
            String id = cls + "#" + method.group(1);
            int p = Integer.parseInt(
                    rubric.getProperty("points." + id, points.group(1)).strip());
            byTask.merge(
                    task.find() ? task.group(1) : "",
                    new Hidden(1, p),
                    (a, b) -> new Hidden(a.tests() + b.tests(), a.points() + b.points()));
        }
    }

    /** The index after the parenthesis that closes the one at {@code open}, past string literals. */
    private static int closing(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                for (i++; i < s.length() && s.charAt(i) != '"'; i++) {
                    if (s.charAt(i) == '\\') {
                        i++;
                    }
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i + 1;
            }
        }
        return s.length();
    }

    /** Whether this copy of the workspace has the lab's hidden tests (an instructor's), or not (a student's release). */
    boolean hasHidden() {
        return hasHidden;
    }

    /** The hidden tests of {@code task} ({@code T3}). */
    Hidden hidden(String task) {
        return hidden.getOrDefault(task, new Hidden(0, 0));
    }

    /** How many tests the public test class {@code simpleName} runs, its superclasses' of the lab included; empty if it has no source. */
    Optional<Integer> publicTests(String simpleName) throws IOException {
        Path f = publicSources.get(simpleName);
        if (f == null) {
            return Optional.empty();
        }
        int n = 0;
        for (int depth = 0; f != null && depth < 8; depth++) {
            String source = Files.readString(f, StandardCharsets.UTF_8);
            Matcher m = TEST_METHOD.matcher(source);
            while (m.find()) {
                n++;
            }
            Matcher e = EXTENDS.matcher(source);
            f = e.find() ? publicSources.get(e.group(1)) : null;
        }
        return Optional.of(n);
    }

    Path module() {
        return module;
    }
}
