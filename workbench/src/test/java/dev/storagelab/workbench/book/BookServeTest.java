package dev.storagelab.workbench.book;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./storagelab book --serve} as a process of its own (the workbench's main class on the
 * classpath this test runs on): while it serves, the book it built is in a temporary folder; once
 * it is stopped, by SIGTERM (what the launcher forwards) or SIGINT (Ctrl-C), nothing of it is left
 * in the temporary folder.
 */
class BookServeTest {

    @TempDir
    Path dir;

    private Path workspace() throws IOException {
        Path ws = Files.createDirectories(dir.resolve("ws"));
        Files.writeString(ws.resolve("README.md"), "# Tiny\n\nA workspace.\n");
        Files.writeString(ws.resolve("pom.xml"), "<project/>\n");
        Files.createDirectories(ws.resolve("notes/data"));
        Files.writeString(ws.resolve("notes/01-tiny.md"), "# 1. Tiny\n\nA chapter.\n");
        return ws;
    }

    private static List<Path> books(Path tmp) throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith("storagelab-"))
                    .toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void aServedBookLeavesNothingInTheTemporaryFolderWhenStopped(String signal) throws Exception {
        Path ws = workspace();
        Path tmp = Files.createDirectories(dir.resolve("tmp-" + signal));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // a process started in the background ignores SIGINT from birth, and a JVM keeps an ignored
        // SIGINT ignored: start it with SIGINT's default action, as a terminal's Ctrl-C finds it
        Process p = new ProcessBuilder(
                        "env",
                        "--default-signal=INT",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx512m",
                        "-Djava.io.tmpdir=" + tmp,
                        "-cp",
                        classpath,
                        "dev.storagelab.workbench.WorkbenchMain",
                        "book",
                        "--serve",
                        "--port",
                        "0",
                        "--workspace",
                        ws.toString())
                .redirectErrorStream(true)
                .start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null && !line.contains("storagelab book: serving http://")) {
                out.append(line).append('\n');
            }
            assertThat("it serves: " + out, line != null, is(true));
            List<Path> served = books(tmp).stream()
                    .filter(b -> b.getFileName().toString().startsWith("storagelab-book-"))
                    .toList();
            assertThat("the book it serves, in the temporary folder", served, hasSize(1));
            assertThat(Files.isRegularFile(served.get(0).resolve("index.html")), is(true));
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
            assertThat(kill.waitFor(), is(0));
            assertThat("it stops", p.waitFor(60, TimeUnit.SECONDS), is(true));
        } finally {
            p.destroyForcibly();
        }
        assertThat("what it left in the temporary folder", books(tmp), empty());
    }
}
