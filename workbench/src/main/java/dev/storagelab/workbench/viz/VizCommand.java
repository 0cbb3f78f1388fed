package dev.storagelab.workbench.viz;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.io.file.PathUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./storagelab viz}: serves the viewer on localhost, with the recorded runs given. */
@Command(
        name = "viz",
        mixinStandardHelpOptions = true,
        description = "Watch the engines work in the browser: serves a"
                + " viewer of B+tree pages, buffer pool frames, LSM levels and compactions, the log's group commits, MVCC"
                + " versions and the hybrid's routes, for recorded runs (RUN.jsonl, from 'workload ... --events') and live runs"
                + " started from the page.")
public final class VizCommand implements Callable<Integer> {

    @Option(
            names = "--port",
            defaultValue = "" + VizServer.DEFAULT_PORT,
            description = "The port (default ${DEFAULT-VALUE};" + " 0: any free port).")
    int port;

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            description = "The address to listen on (default ${DEFAULT-VALUE}:"
                    + " this machine only). Another address lets other machines see the runs.")
    String bind;

    @Option(names = "--live-dir", description = "Where live runs are recorded (default: a new temporary folder).")
    Path liveDir;

    @Parameters(arity = "0..*", paramLabel = "RUN.jsonl", description = "Recorded runs to open.")
    List<Path> runs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintStream out =
                new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, not " + port);
        }
        InetAddress address = InetAddress.getByName(bind);
        VizServer server = start(address, port, runs, liveDir, out);
        String host = address.isLoopbackAddress() ? "127.0.0.1" : address.getHostAddress();
        out.println("storagelab viz: serving http://" + host + ":" + server.port()
                + "/ (Ctrl-C stops it); live runs are" + " recorded in " + server.liveDir()
                + (liveDir == null ? " (deleted when it stops)" : ""));
        new CountDownLatch(1).await(); // until the process is stopped
        return 0;
    }

    /**
     * Starts a viewer's server whose live runs are recorded in {@code liveDir}, or, when it is
     * null, in a new temporary folder. When this JVM stops (Ctrl-C, SIGTERM, a closed terminal,
     * the launcher gone) the port is freed and the temporary folder deleted; a folder given is kept.
     */
    public static VizServer start(InetAddress address, int port, List<Path> runs, Path liveDir, PrintStream out)
            throws IOException {
        boolean temporary = liveDir == null;
        Path live = temporary ? Files.createTempDirectory("storagelab-viz-runs-") : Files.createDirectories(liveDir);
        VizServer server;
        try {
            server = new VizServer(address, port, runs, RunFormat.MAX_BYTES, live, out);
        } catch (IOException | RuntimeException e) {
            if (temporary) {
                PathUtils.deleteDirectory(live);
            }
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, temporary ? live : null), "viz-stop"));
        return server;
    }

    private static void stop(VizServer server, Path temporary) {
        server.close();
        if (temporary != null) {
            try {
                PathUtils.deleteDirectory(temporary);
            } catch (IOException e) {
                System.err.println("storagelab viz: could not delete " + temporary + ": " + e.getMessage());
            }
        }
    }
}
