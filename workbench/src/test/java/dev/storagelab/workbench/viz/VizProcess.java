package dev.storagelab.workbench.viz;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./storagelab viz} as a process of its own: the command the launcher ends in
 * ({@code java -jar storagelab-workbench.jar viz ...}, whose main class is
 * {@link dev.storagelab.workbench.cli.WorkbenchMain}), run on the classpath this test runs on, so
 * it is the workbench just compiled and not a jar left from an earlier build.
 */
final class VizProcess implements AutoCloseable {

    private static final Pattern SERVING = Pattern.compile("serving http://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final StringBuffer out = new StringBuffer();
    private final StringBuffer err = new StringBuffer();
    private final Thread[] drains;

    private VizProcess(Process process) {
        this.process = process;
        drains = new Thread[] {
            drain(process.getInputStream(), out, "viz-stdout"), drain(process.getErrorStream(), err, "viz-stderr")
        };
    }

    /** Starts {@code viz} with {@code args} (e.g. {@code --port 0 RUN.jsonl}). */
    static VizProcess start(List<String> args) throws IOException {
        return new VizProcess(new ProcessBuilder(command(List.of(), args)).start());
    }

    /**
     * Starts {@code viz} with {@code args} as the launcher does: a child of a parent process (a
     * shell that waits for it) that asked it to end with it, its temporary files in {@code tmp}.
     */
    static VizProcess startUnderAParent(List<String> args, Path tmp) throws IOException {
        List<String> java = command(List.of("-Djava.io.tmpdir=" + tmp), args);
        StringBuilder line = new StringBuilder();
        for (String word : java) {
            line.append('\'').append(word.replace("'", "'\\''")).append("' ");
        }
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", line + "& wait");
        pb.environment().put("STORAGELAB_EXIT_WITH_PARENT", "1");
        return new VizProcess(pb.start());
    }

    /** Starts {@code viz} with {@code args}, its temporary files in {@code tmp}. */
    static VizProcess start(List<String> args, Path tmp) throws IOException {
        return new VizProcess(new ProcessBuilder(command(List.of("-Djava.io.tmpdir=" + tmp), args)).start());
    }

    private static List<String> command(List<String> jvmArgs, List<String> args) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", classpath, "dev.storagelab.workbench.cli.WorkbenchMain", "viz"));
        cmd.addAll(args);
        return cmd;
    }

    /** The process started: the viz JVM, or the parent that runs it. */
    Process process() {
        return process;
    }

    private static Thread drain(InputStream in, StringBuffer into, String name) {
        Thread t = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            into.append(line).append('\n');
                        }
                    } catch (IOException e) {
                        into.append("(reading the process's output failed: ")
                                .append(e)
                                .append(")\n");
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The port it serves on, once it says so and {@code GET /health} answers 200; throws with the
     * process's output if it exits first or is not up within {@code patience}.
     */
    int awaitHealthy(Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        HttpClient http = HttpClient.newHttpClient();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "viz exited with " + process.exitValue() + " before it served: " + output());
            }
            Matcher m = SERVING.matcher(out);
            if (m.find()) {
                int port = Integer.parseInt(m.group(1));
                try {
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        return port;
                    }
                } catch (IOException e) {
                    // not answering yet: ask again
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("viz did not answer GET /health within " + patience + ": " + output());
    }

    /** Waits for the process to exit on its own and returns its exit code (-1 if it is still running after {@code patience}). */
    int awaitExit(Duration patience) throws InterruptedException {
        if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            return -1;
        }
        for (Thread t : drains) {
            t.join(10_000); // its output is read to the end
        }
        return process.exitValue();
    }

    String stdout() {
        return out.toString();
    }

    String stderr() {
        return err.toString();
    }

    String output() {
        return "standard output [" + out + "], standard error [" + err + "]";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
    }
}
