package dev.storagelab.grader.workspace;

/**
 * One hidden test as the grader knows it, read from the instructor's own build (never from the
 * submission).
 *
 * @param lab     the lab id
 * @param id      {@code class#method}
 * @param points  the points it is worth (from {@code @Graded}, or the rubric's override)
 * @param concept what a failure means, shown to the student instead of the test's source
 * @param task    the handout's task the test checks ({@code T4}; {@code @Graded}'s, or for a local
 *                check the task whose row of the handout's table lists its class), empty if none
 * @param taskName what the student writes in that task, as the handout's table says it (empty if
 *                 unknown)
 */
public record GradedTest(String lab, String id, int points, String concept, String task, String taskName) {

    /** A test of no task. */
    public GradedTest(String lab, String id, int points, String concept) {
        this(lab, id, points, concept, "", "");
    }

    public String className() {
        return id.substring(0, id.indexOf('#'));
    }

    public String methodName() {
        return id.substring(id.indexOf('#') + 1);
    }

    /**
     * What a pass proves, in the words of the test's behaviour name: {@code
     * emptyValuesAreValuesNotDeletes} reads "empty values are values not deletes" (the concept is
     * phrased as the bug a failure reveals).
     */
    public String proved() {
        return HandoutTasks.concept(methodName());
    }

    /** The class's simple name and the method: what a student sees. */
    public String displayName() {
        String cls = className();
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + methodName();
    }
}
