package dev.storagelab.grader;

/**
 * One hidden test as the grader knows it, read from the instructor's own build (never from the
 * submission).
 *
 * @param lab     the lab id
 * @param id      {@code class#method}
 * @param points  the points it is worth (from {@code @Graded}, or the rubric's override)
 * @param concept what a failure means, shown to the student instead of the test's source
 */
public record GradedTest(String lab, String id, int points, String concept) {

    public String className() {
        return id.substring(0, id.indexOf('#'));
    }

    public String methodName() {
        return id.substring(id.indexOf('#') + 1);
    }

    /** The class's simple name and the method: what a student sees. */
    public String displayName() {
        String cls = className();
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + methodName();
    }
}
