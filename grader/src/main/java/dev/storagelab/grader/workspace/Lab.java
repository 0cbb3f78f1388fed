package dev.storagelab.grader.workspace;

import java.util.List;

/**
 * One lab module of the workspace.
 *
 * @param id        for example {@code lab-01}
 * @param directory the module directory name, for example {@code lab-01-binary-search}
 * @param dependsOn the ids of the labs whose code this lab builds on (from its pom)
 */
public record Lab(String id, String directory, List<String> dependsOn) {

    /** The lab's number: 1 for {@code lab-01}. */
    public int number() {
        return Integer.parseInt(id.substring(4));
    }

    /** The source folder students own. */
    public String studentSources() {
        return directory + "/src/main/java";
    }

    /** The handout anchor of task {@code task} (for example {@code T3}). */
    public String handoutAnchor(String task) {
        return directory + "/README.md#" + task.toLowerCase(java.util.Locale.ROOT);
    }
}
