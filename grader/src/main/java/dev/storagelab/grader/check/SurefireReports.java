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
     * {@code Sample} when it could not shrink) in a test's output: the {@code name: value} lines
     * under the heading.
     */
    static List<String> shrunkSample(String output) {
        List<String> lines = output.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
            String heading = lines.get(i).strip();
            if ((heading.startsWith("Shrunk Sample") || heading.equals("Sample"))
                    && lines.get(i + 1).strip().matches("-+")) {
                List<String> sample = new ArrayList<>();
                for (int j = i + 2; j < lines.size() && !lines.get(j).isBlank(); j++) {
                    sample.add(lines.get(j).strip());
                }
                return sample;
            }
        }
        return List.of();
    }
}
