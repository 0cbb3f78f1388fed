package dev.storagelab.grader.report;

import dev.storagelab.grader.report.GradeReport.LabResult;
import dev.storagelab.grader.report.GradeReport.TestResult;
import java.util.Locale;

/** JUnit's XML report format (one {@code testsuite} per lab), for CI dashboards. */
final class JUnitXml {

    private JUnitXml() {}

    static String of(LabResult lab) {
        long failures = lab.tests().size() - lab.passed();
        double time =
                lab.tests().stream().mapToDouble(t -> t.outcome().seconds()).sum();
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.append(String.format(
                Locale.ROOT,
                "<testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"0\" time=\"%.3f\">%n",
                esc(lab.lab() + " hidden tests"),
                lab.tests().size(),
                failures,
                time));
        for (TestResult t : lab.tests()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "  <testcase classname=\"%s\" name=\"%s\" time=\"%.3f\">",
                    esc(lab.lab() + "."
                            + t.test()
                                    .className()
                                    .substring(t.test().className().lastIndexOf('.') + 1)),
                    esc(t.test().methodName()),
                    t.outcome().seconds()));
            if (!t.outcome().passed()) {
                sb.append("\n    <failure message=\"")
                        .append(esc(t.outcome().status() + ": " + t.test().concept()))
                        .append("\">")
                        .append(esc(t.outcome().message()))
                        .append("</failure>\n  ");
            }
            sb.append("</testcase>\n");
        }
        return sb.append("</testsuite>\n").toString();
    }

    /**
     * {@code s} as XML text: markup escaped, and every control or invisible character (which XML
     * 1.0 forbids, or a viewer would act on) shown as a visible code ({@code \x1B}).
     */
    private static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : dev.storagelab.grader.workspace.VisibleText.of(s).toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        sb.append('?'); // not allowed in XML 1.0
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
