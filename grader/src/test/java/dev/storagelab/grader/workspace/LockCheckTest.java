package dev.storagelab.grader.workspace;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.grader.grade.Fixtures;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The build's lock-discipline check is on: javac, run in this JVM with the compiler arguments the
 * parent pom gives every module (Error Prone with only its GuardedBy check, at the level of
 * {@code storagelab.lockcheck}), read from the real pom.xml so that this test follows the pom,
 * refuses a class that reads a {@code @GuardedBy} field without its lock, and compiles the same
 * class once the read takes the lock. If the pom stops passing the check, or passes it as a
 * warning, the first test fails.
 */
class LockCheckTest {

    /** A counter whose read forgets the lock its field is guarded by. */
    static final String UNGUARDED_READ = """
            package demo;

            import com.google.errorprone.annotations.concurrent.GuardedBy;

            final class Counter {
                private final Object lock = new Object();
                @GuardedBy("lock")
                private long count;

                void increment() {
                    synchronized (lock) {
                        count++;
                    }
                }

                long read() {
                    return count;
                }
            }
            """;

    /** The same counter, its read under the lock. */
    static final String GUARDED_READ = UNGUARDED_READ.replace("""
                long read() {
                    return count;
                }
            """, """
                long read() {
                    synchronized (lock) {
                        return count;
                    }
                }
            """);

    @Test
    void aGuardedFieldReadWithoutItsLockFailsTheBuildsCompile(@TempDir Path tmp) throws Exception {
        Compilation c = compile(tmp, UNGUARDED_READ);
        assertThat("compiled with " + c.args + ":\n" + c.messages, c.succeeded, is(false));
        assertThat(c.errors, hasItem(containsString("[GuardedBy]")));
        assertThat(
                "the error points at the unguarded read",
                String.join("\n", c.errors),
                containsString("Counter.java:17"));
    }

    @Test
    void theSameReadUnderItsLockCompiles(@TempDir Path tmp) throws Exception {
        assertThat("the fixed source differs from the broken one", GUARDED_READ, not(is(UNGUARDED_READ)));
        Compilation c = compile(tmp, GUARDED_READ);
        assertThat("compiled with " + c.args + ":\n" + c.messages, c.succeeded, is(true));
    }

    @Test
    void thePomsArgumentsRunErrorProneWithTheGuardedByCheckAsAnError() throws Exception {
        List<String> args = buildCompilerArgs(Fixtures.realWorkspace().resolve("pom.xml"));
        assertThat(args, hasItem(containsString("-Xplugin:ErrorProne")));
        assertThat(args, hasItem(containsString("-Xep:GuardedBy:ERROR")));
    }

    /** What one compile said: whether it succeeded, its errors, and everything it printed. */
    record Compilation(boolean succeeded, List<String> errors, String messages, List<String> args) {}

    /**
     * Compiles {@code source} (as demo/Counter.java under {@code tmp}) with the parent pom's compiler
     * arguments and release, Error Prone and the annotations found on this JVM's class path.
     */
    static Compilation compile(Path tmp, String source) throws Exception {
        Path pom = Fixtures.realWorkspace().resolve("pom.xml");
        Path file = tmp.resolve("src/demo/Counter.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source, StandardCharsets.UTF_8);
        Path out = Files.createDirectories(tmp.resolve("classes"));
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--release", pomValue(pom, "release")));
        args.addAll(buildCompilerArgs(pom));
        String classPath = System.getProperty("java.class.path");
        args.addAll(List.of("-classpath", classPath, "-processorpath", classPath, "-d", out.toString()));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter printed = new StringWriter();
        boolean ok;
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            ok = javac.getTask(printed, files, diagnostics, args, null, files.getJavaFileObjects(file))
                    .call();
        }
        List<String> errors = new ArrayList<>();
        StringBuilder messages = new StringBuilder(printed.toString());
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            String line = (d.getSource() == null
                            ? ""
                            : Path.of(d.getSource().toUri()).getFileName() + ":" + d.getLineNumber() + ": ")
                    + d.getMessage(null);
            messages.append(d.getKind()).append(' ').append(line).append('\n');
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(line);
            }
        }
        return new Compilation(ok, errors, messages.toString(), args);
    }

    /**
     * The {@code compilerArgs} the parent pom gives the compiler plugin, each {@code ${property}}
     * replaced by the pom's value for it.
     */
    static List<String> buildCompilerArgs(Path pom) throws Exception {
        Element configuration = compilerConfiguration(pom);
        List<String> args = new ArrayList<>();
        NodeList compilerArgs = configuration.getElementsByTagName("compilerArgs");
        assertThat(
                "the compiler plugin's configuration in " + pom + " has compilerArgs", compilerArgs.getLength(), is(1));
        NodeList argList = ((Element) compilerArgs.item(0)).getElementsByTagName("arg");
        Map<String, String> properties = properties(pom);
        for (int i = 0; i < argList.getLength(); i++) {
            args.add(resolve(argList.item(i).getTextContent().strip(), properties));
        }
        return args;
    }

    /** A value of the compiler plugin's configuration in the pom, such as {@code release}. */
    private static String pomValue(Path pom, String name) throws Exception {
        NodeList nodes = compilerConfiguration(pom).getElementsByTagName(name);
        assertThat("the compiler plugin's configuration in " + pom + " sets " + name, nodes.getLength(), is(1));
        return resolve(nodes.item(0).getTextContent().strip(), properties(pom));
    }

    private static Element compilerConfiguration(Path pom) throws Exception {
        NodeList plugins = parse(pom).getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element plugin = (Element) plugins.item(i);
            Element artifact = child(plugin, "artifactId");
            Element configuration = child(plugin, "configuration");
            if (artifact != null
                    && artifact.getTextContent().strip().equals("maven-compiler-plugin")
                    && configuration != null
                    && configuration.getElementsByTagName("compilerArgs").getLength() > 0) {
                return configuration;
            }
        }
        throw new AssertionError(pom + " configures no maven-compiler-plugin with compilerArgs");
    }

    private static Map<String, String> properties(Path pom) throws Exception {
        Map<String, String> properties = new HashMap<>();
        Element props = child(parse(pom).getDocumentElement(), "properties");
        if (props != null) {
            for (Node n = props.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e) {
                    properties.put(e.getTagName(), e.getTextContent().strip());
                }
            }
        }
        return properties;
    }

    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    private static String resolve(String value, Map<String, String> properties) {
        Matcher m = PROPERTY.matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (m.find()) {
            String v = properties.get(m.group(1));
            if (v == null) {
                throw new AssertionError("the pom uses ${" + m.group(1) + "} but does not set it");
            }
            m.appendReplacement(resolved, Matcher.quoteReplacement(v));
        }
        return m.appendTail(resolved).toString();
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static Document parse(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(pom.toFile());
    }
}
