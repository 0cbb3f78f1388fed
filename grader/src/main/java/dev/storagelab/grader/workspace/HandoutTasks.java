package dev.storagelab.grader.workspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A lab's tasks as its handout's table lists them (the one place that says which public test
 * classes belong to which task), its public test classes, and the concept a test's behaviour name
 * states: what the test command, the hidden tests' scan and Classroom's workflow all read.
 */
public final class HandoutTasks {

    /**
     * A task of the handout's table: its id, what the student writes (the table's second cell,
     * plain text) and the public test classes (simple names) it lists.
     */
    public record Task(String id, String name, List<String> testClasses) {

        /** A task without a name. */
        public Task(String id, List<String> testClasses) {
            this(id, "", testClasses);
        }
    }

    /**
     * A table row: {@code | [T3](#t3) | what | methods | `PageTableTest` |}, or {@code | given | ... |}
     * for the tests of the code the lab gives (they pass from the start); the last cell names the tests.
     */
    private static final Pattern ROW =
            Pattern.compile("^\\|\\s*(?:\\[(T\\d+)]\\(#t\\d+\\)|(given))\\s*\\|([^|]*)\\|.*\\|([^|]*)\\|\\s*$");

    private static final Pattern CODE = Pattern.compile("`([A-Za-z_][A-Za-z0-9_]*)`");

    private HandoutTasks() {}

    /** The tasks of {@code lab}'s handout table, in table order. */
    public static List<Task> tasks(Workspace workspace, Lab lab) throws IOException {
        Path handout = workspace.root().resolve(lab.directory()).resolve("README.md");
        return Files.isRegularFile(handout) ? tasks(Files.readAllLines(handout, StandardCharsets.UTF_8)) : List.of();
    }

    /** The tasks of a handout's table (and its {@code given} row, if it has one), in table order. */
    public static List<Task> tasks(List<String> handout) {
        List<Task> tasks = new ArrayList<>();
        for (String line : handout) {
            Matcher m = ROW.matcher(line.strip());
            if (m.matches()) {
                List<String> classes = new ArrayList<>();
                Matcher c = CODE.matcher(m.group(4));
                while (c.find()) {
                    classes.add(c.group(1));
                }
                String name = m.group(3).replace("`", "").strip();
                tasks.add(new Task(m.group(1) != null ? m.group(1) : m.group(2), name, classes));
            }
        }
        return tasks;
    }

    /** The public test classes of {@code lab} (fully qualified), from its {@code src/test/java}. */
    public static List<String> testClasses(Workspace workspace, Lab lab) throws IOException {
        return HiddenTests.classNames(workspace.root(), lab, "src/test/java").stream()
                .filter(c -> c.matches(".*(Test|Tests)"))
                .toList();
    }

    /** A test's method name: Surefire's case name without its parameters and invocation. */
    public static String method(String testName) {
        String name = testName.contains("(") ? testName.substring(0, testName.indexOf('(')) : testName;
        return name.contains("[") ? name.substring(0, name.indexOf('[')).strip() : name;
    }

    /** The concept a test's behaviour name states: {@code encodedOrderMatchesTheRecordOrder} reads "encoded order matches the record order". */
    public static String concept(String testName) {
        String name = method(testName);
        // aUniqueInsertionPoint and returnsAUniqueInsertionPoint: every word apart, a one-letter one too
        return name.replaceAll("([a-z0-9])([A-Z])", "$1 $2")
                .replaceAll("([A-Z])([A-Z][a-z])", "$1 $2")
                .replace('_', ' ')
                .toLowerCase(Locale.ROOT);
    }
}
