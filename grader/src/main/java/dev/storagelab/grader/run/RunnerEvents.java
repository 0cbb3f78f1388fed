package dev.storagelab.grader.run;

import dev.storagelab.grader.runner.HiddenTestRunner;
import dev.storagelab.grader.sandbox.Confinement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The runner's channel: a Unix-domain socket this side listens on, which takes exactly one
 * connection (the runner's, made before any class of the submission loads) and then stops
 * listening. Its lines are read on their own thread, each at most {@link #MAX_EVENT_LINE} bytes
 * (a longer one is cut there and its rest dropped): whatever the child writes, this side holds a
 * bounded amount of it. Each line is an event of the runner's, numbered in sequence ({@link
 * #event}): a line lost, repeated or out of order is tampering.
 */
public final class RunnerEvents extends Thread {

    /** The longest event line the parent reads: a failure message is capped well below it. */
    static final int MAX_EVENT_LINE = 64 * 1024;

    /** The longest path of a Unix-domain socket, in bytes (Linux's {@code sun_path} less its terminating zero). */
    static final int MAX_SOCKET_PATH = 107;

    /** Handed out once the connection is closed. */
    static final String END = new String("end of the runner's events");

    private final java.nio.channels.ServerSocketChannel server;
    private final Path socket;
    private final java.util.concurrent.BlockingQueue<String> lines =
            new java.util.concurrent.LinkedBlockingQueue<>(1024);
    private volatile boolean connected;

    private RunnerEvents(java.nio.channels.ServerSocketChannel server, Path socket) {
        super("test-events");
        setDaemon(true);
        this.server = server;
        this.socket = socket;
    }

    /** Listens on {@code socket}, which only the run's user ({@code confined}; else this user) may connect to. */
    static RunnerEvents listen(Path socket, Confinement.Run confined) throws IOException {
        java.nio.channels.ServerSocketChannel server =
                java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX);
        try {
            int bytes = socket.toString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_SOCKET_PATH) {
                throw new IOException(
                        "the grader's temp folder has too long a path for its test runs' sockets ("
                                + socket + ", " + bytes
                                + " bytes; a Unix socket's path has at most " + MAX_SOCKET_PATH
                                + "): give the grader a shorter one, such as /tmp (JDK_JAVA_OPTIONS=-Djava.io.tmpdir=/tmp), and grade again");
            }
            server.bind(java.net.UnixDomainSocketAddress.of(socket), 1);
            if (confined != null) {
                confined.connectableByRun(socket);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new RunnerEvents(server, socket);
    }

    @Override
    public void run() {
        try (java.nio.channels.SocketChannel runner = server.accept()) {
            connected = true;
            server.close(); // one connection: the runner's
            Files.deleteIfExists(socket);
            read(java.nio.channels.Channels.newInputStream(runner));
        } catch (IOException e) {
            // closed: the child is gone, or never connected
        } catch (InterruptedException e) {
            return;
        }
        try {
            lines.put(END);
        } catch (InterruptedException e) {
            // nobody waits any more
        }
    }

    private void read(InputStream in) throws IOException, InterruptedException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        try (InputStream buffered = new java.io.BufferedInputStream(in)) {
            int b;
            while ((b = buffered.read()) >= 0) {
                if (b == '\n') {
                    lines.put(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else if (line.size() < MAX_EVENT_LINE) {
                    line.write(b);
                }
            }
        }
    }

    /** Whether the runner never connected (it did not start, or died first). */
    boolean neverConnected() {
        return !connected;
    }

    /** The next line, null if none came within {@code millis}, or {@link #END}. */
    String poll(long millis) throws InterruptedException {
        return lines.poll(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Stops listening (a runner that never connected) and removes the socket. */
    void close() {
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // gone with the run's folder
        }
    }

    /**
     * The body of an event line numbered {@code expectedSeq}; null for a line that is no event (the
     * JVM's own words); throws for an event line out of sequence (lost or repeated).
     */
    public static String event(String line, long expectedSeq) {
        if (!line.startsWith(HiddenTestRunner.MARK + " ")) {
            return null;
        }
        String rest = line.substring(HiddenTestRunner.MARK.length() + 1);
        int space = rest.indexOf(' ');
        long seq;
        try {
            seq = Long.parseLong(space < 0 ? rest : rest.substring(0, space));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an event line without a sequence number: " + excerpt(line));
        }
        if (seq != expectedSeq) {
            throw new IllegalArgumentException(
                    "an event line out of sequence (" + seq + ", expected " + expectedSeq + "): " + excerpt(line));
        }
        return space < 0 ? "" : rest.substring(space + 1);
    }

    private static String excerpt(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    /** A message the runner sent in Base64, as text. */
    static String decode(String b64) {
        try {
            return new String(Base64.getDecoder().decode(b64.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "(unreadable message)";
        }
    }
}
