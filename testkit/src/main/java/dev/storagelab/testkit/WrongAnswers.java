package dev.storagelab.testkit;

/**
 * For the tests that prove a benchmark checks its answers: runs a benchmark method, directly, on
 * an engine that answers wrongly, until the benchmark's check throws ({@link AnswerCheck#wrong}).
 */
public final class WrongAnswers {

    /** One call of a benchmark method. */
    @FunctionalInterface
    public interface Call {
        void run() throws Exception;
    }

    private WrongAnswers() {}

    /**
     * Calls {@code call} up to {@code times} times and returns the message of the wrong answer it
     * threw; throws {@link AssertionError} if it threw nothing in that many calls, or something
     * else than a wrong answer (the cause).
     */
    public static String within(int times, Call call) {
        for (int n = 0; n < times; n++) {
            try {
                call.run();
            } catch (IllegalStateException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("wrong answer: ")) {
                    return e.getMessage();
                }
                throw new AssertionError("call " + n + " threw, but not a wrong answer", e);
            } catch (Exception e) {
                throw new AssertionError("call " + n + " threw, but not a wrong answer", e);
            }
        }
        throw new AssertionError("no wrong answer was found in " + times + " calls");
    }
}
