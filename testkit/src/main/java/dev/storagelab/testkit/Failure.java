package dev.storagelab.testkit;

import org.opentest4j.AssertionFailedError;

/**
 * A test's failure as a recording's header shows it: its message, and what the test expected and
 * what it got when the assertion says (JUnit's {@code assertEquals}, Hamcrest's {@code Expected:
 * ... but: ...}).
 *
 * @param expected null when the failure does not say
 */
record Failure(String message, String expected, String actual) {

    /** The longest message kept. */
    static final int MAX = 2_000;

    static Failure of(Throwable t) {
        if (t == null) {
            return new Failure("failed", null, null);
        }
        String text = t.getMessage() == null ? t.getClass().getName() : t.toString();
        String message = text.length() > MAX ? text.substring(0, MAX) : text;
        if (t instanceof AssertionFailedError a && a.isExpectedDefined() && a.isActualDefined()) {
            return new Failure(
                    message,
                    a.getExpected().getStringRepresentation(),
                    a.getActual().getStringRepresentation());
        }
        String m = t.getMessage() == null ? "" : t.getMessage();
        int expected = m.indexOf("\nExpected: ");
        int but = m.indexOf("\n     but: ", Math.max(0, expected));
        if (expected >= 0 && but > expected) {
            return new Failure(
                    message,
                    m.substring(expected + "\nExpected: ".length(), but).strip(),
                    m.substring(but + "\n     but: ".length()).strip());
        }
        return new Failure(message, null, null);
    }
}
