package dev.storagelab.lab;

/**
 * What a student region throws until the student fills it. The exporter replaces every
 * {@code // BEGIN SOLUTION lab-NN TK} ... {@code // END SOLUTION} region of the reference with
 * {@code throw new NotImplementedException("lab-NN", "TK", "lab-NN-name/README.md#tk");}, so a
 * student's first test run reads
 * <pre>lab-02 T1 BoundSearch.lowerBound is not implemented yet (lab-02-bounds/README.md#t1)</pre>
 * and never a NullPointerException. The method is found from the stack, so the exporter need not
 * parse Java.
 */
public final class NotImplementedException extends UnsupportedOperationException {

    private final String lab;
    private final String task;
    private final String method;
    private final String handout;

    public NotImplementedException(String lab, String task, String handout) {
        this(lab, task, callerMethod(), handout);
    }

    public NotImplementedException(String lab, String task, String method, String handout) {
        super(lab + " " + task + " " + method + " is not implemented yet (" + handout + ")");
        this.lab = lab;
        this.task = task;
        this.method = method;
        this.handout = handout;
    }

    /**
     * The method that threw, as {@code Class.method}, by name: a stack walk by name needs no
     * permission, so the message is the same under the grader's SecurityManager.
     */
    private static String callerMethod() {
        return StackWalker.getInstance()
                .walk(frames -> frames.filter(f -> !f.getClassName().equals(NotImplementedException.class.getName()))
                        .findFirst()
                        .map(f -> simpleName(f.getClassName()) + "." + f.getMethodName())
                        .orElse("?"));
    }

    /** {@code LogReader} of {@code dev.storagelab.sortedlog.LogReader}, {@code Inner} of {@code a.Outer$Inner}. */
    private static String simpleName(String className) {
        String name = className.substring(className.lastIndexOf('.') + 1);
        return name.substring(name.lastIndexOf('$') + 1);
    }

    /** The lab, for example {@code lab-01}. */
    public String lab() {
        return lab;
    }

    /** The task, for example {@code T3}. */
    public String task() {
        return task;
    }

    /** The class and method, for example {@code LogReader.next}. */
    public String method() {
        return method;
    }

    /** The handout anchor, for example {@code lab-01-binary-search/README.md#t3}. */
    public String handout() {
        return handout;
    }
}
