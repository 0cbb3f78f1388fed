package dev.storagelab.grader.check;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/** Reads the test results Maven Surefire writes for a module ({@code target/surefire-reports/TEST-*.xml}). */
public final class SurefireReports {

    /**
     * One test method's result.
     *
     * @param failure null when the test passed or was skipped; otherwise the exception type, its
     *                message and the stack trace, as Surefire wrote them
     * @param message the failure's message as the test's assertion made it (may span lines; empty
     *                when it had none), null when the test did not fail
     * @param sample  jqwik's shrunk sample of a failed property, one {@code name: value} line per
     *                parameter (empty when there is none)
     */
    public record Case(
            String className, String name, String failure, boolean skipped, String message, List<String> sample) {

        public Case(String className, String name, String failure, boolean skipped) {
            this(className, name, failure, skipped, failure == null ? null : "", List.of());
        }

        public boolean passed() {
            return failure == null && !skipped;
        }

        /** The class's simple name. */
        public String simpleClassName() {
            return className.substring(className.lastIndexOf('.') + 1);
        }

        /** The first line of the failure: the exception and its message. */
        public String failureLine() {
            return failure == null ? "" : failure.lines().findFirst().orElse("");
        }

        /** The exception's type (simple name), from the first line of the failure. */
        public String failureType() {
            String first = failureLine();
            String type = first.contains(":") ? first.substring(0, first.indexOf(':')) : first.strip();
            return type.substring(type.lastIndexOf('.') + 1);
        }
    }

    private SurefireReports() {}

    /** Every test case of {@code module}'s last Surefire run, in report order; empty if it has none. */
    public static List<Case> read(Path module) throws IOException {
        Path reports = module.resolve("target/surefire-reports");
        List<Case> cases = new ArrayList<>();
        if (!Files.isDirectory(reports)) {
            return cases;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(reports)) {
            files = s.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml"))
                    .sorted()
                    .toList();
        }
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        try {
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            for (Path f : files) {
                NodeList testcases =
                        factory.newDocumentBuilder().parse(f.toFile()).getElementsByTagName("testcase");
                for (int i = 0; i < testcases.getLength(); i++) {
                    Element c = (Element) testcases.item(i);
                    String failure = null;
                    String message = null;
                    for (String kind : List.of("failure", "error")) {
                        NodeList n = c.getElementsByTagName(kind);
                        if (n.getLength() > 0 && failure == null) {
                            Element e = (Element) n.item(0);
                            message = e.getAttribute("message");
                            String type = e.getAttribute("type");
                            String trace = e.getTextContent().strip();
                            // The trace starts with "type: message" when Surefire has one.
                            failure = trace.isEmpty() ? type + ": " + message : trace;
                        }
                    }
                    boolean skipped = c.getElementsByTagName("skipped").getLength() > 0;
                    NodeList out = c.getElementsByTagName("system-out");
                    List<String> sample = failure == null || out.getLength() == 0
                            ? List.of()
                            : shrunkSample(out.item(0).getTextContent());
                    cases.add(new Case(
                            c.getAttribute("classname"), c.getAttribute("name"), failure, skipped, message, sample));
                }
            }
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("cannot read the Surefire reports in " + reports + ": " + e.getMessage(), e);
        }
        return cases;
    }

    /**
     * The sample jqwik reports for a failed property ({@code Shrunk Sample (5 steps)}, or
     * {@code Sample} when it could not shrink) in a test's output or in a message {@link
     * LibraryNoise} has been over (which drops the rule of dashes under the heading): the {@code
     * name: value} lines under the heading.
     */
    static List<String> shrunkSample(String output) {
        List<String> lines = output.lines().toList();
        int heading = sampleHeading(lines);
        if (heading < 0) {
            return List.of();
        }
        List<String> sample = new ArrayList<>();
        int first = heading + (lines.get(heading + 1).strip().matches("-+") ? 2 : 1);
        for (int j = first; j < lines.size() && !lines.get(j).isBlank(); j++) {
            sample.add(lines.get(j).strip());
        }
        return sample;
    }

    /** Where in {@code message} the heading of jqwik's sample starts (its length if it has none). */
    static int sampleStart(String message) {
        List<String> lines = message.lines().toList();
        int heading = sampleHeading(lines);
        if (heading < 0) {
            return message.length();
        }
        int at = 0;
        for (int i = 0; i < heading; i++) {
            at = message.indexOf('\n', at) + 1;
        }
        return at;
    }

    /**
     * The line of jqwik's sample heading: followed by its rule of dashes, or (once {@link
     * LibraryNoise} dropped the rule) by an indented {@code name: value} line; -1 if none.
     */
    private static int sampleHeading(List<String> lines) {
        for (int i = 0; i + 1 < lines.size(); i++) {
            String heading = lines.get(i).strip();
            String next = lines.get(i + 1);
            if ((heading.matches("Shrunk Sample \\(\\d+ steps?\\)") || heading.equals("Sample"))
                    && (next.strip().matches("-+") || next.matches("\\s+[\\w$]+: .*"))) {
                return i;
            }
        }
        return -1;
    }
}
