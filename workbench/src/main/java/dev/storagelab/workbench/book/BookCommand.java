package dev.storagelab.workbench.book;

import dev.storagelab.workbench.viz.VizServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.io.file.PathUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./storagelab book}: the notes and the handouts as a static site ({@link Book}), written to
 * a folder or served beside the viewer, so that a page's recorded runs open in it.
 */
@Command(
        name = "book",
        mixinStandardHelpOptions = true,
        description = "Build the notes and the handouts as a book: a static site with a title page, the chapters and"
                + " handouts in course order (a handout as an overview and a page per task), a table of contents on"
                + " every page, the figures drawn from notes/data, highlighted code and a search box. --out DIR"
                + " writes it; --serve serves it beside the viewer, from a temporary folder deleted when it stops.")
public final class BookCommand implements Callable<Integer> {

    /**
     * Where the viewer serves the book: its pages under this path, the viewer itself at /. The
     * book's script ({@code book/book.js}) knows it is served beside the viewer by this path.
     */
    public static final String PATH = "/book/";

    @Option(names = "--out", description = "The folder to write the book to (new, empty, or an earlier book's).")
    Path out;

    @Option(names = "--serve", description = "Serve the book beside the viewer, at http://127.0.0.1:PORT" + PATH + ".")
    boolean serve;

    @Option(
            names = "--port",
            defaultValue = "" + VizServer.DEFAULT_PORT,
            description = "With --serve: the port (default ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(
            names = "--bind",
            defaultValue = "127.0.0.1",
            description = "With --serve: the address to listen on (default ${DEFAULT-VALUE}: this machine only).")
    String bind;

    @Option(names = "--workspace", description = "The workspace (default: the one this command belongs to).")
    Path workspace;

    @Override
    public Integer call() throws Exception {
        PrintStream stdout = FigureTables.stdout();
        if (out == null && !serve) {
            throw new IllegalArgumentException("name where the book goes with --out DIR, or serve it with --serve");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, not " + port);
        }
        System.setProperty("java.awt.headless", "true");
        Path root = Workspaces.root(workspace);
        Path dir = out != null ? out : temporaryFolder();
        Book.Built built = Book.build(root, dir, stdout);
        if (!serve) {
            stdout.println(
                    "storagelab book: open " + built.dir().resolve("index.html").toUri());
            return 0;
        }
        InetAddress address = InetAddress.getByName(bind);
        // the viewer's, whose temporary folder of live runs is deleted when it stops
        VizServer server = dev.storagelab.workbench.viz.VizCommand.start(address, port, built.runs(), null, stdout);
        server.serveFolder(PATH, built.dir());
        String host = address.isLoopbackAddress() ? "127.0.0.1" : address.getHostAddress();
        stdout.println("storagelab book: serving http://" + host + ":" + server.port() + PATH
                + " (the viewer at http://" + host + ":" + server.port() + "/; Ctrl-C stops it)");
        new CountDownLatch(1).await(); // until the process is stopped
        return 0;
    }

    /**
     * A new temporary folder for a served book, deleted when the process ends however it ends:
     * returning, failing, or stopped by SIGINT (Ctrl-C) or SIGTERM, which run the JVM's shutdown hooks.
     */
    static Path temporaryFolder() throws java.io.IOException {
        Path dir = Files.createTempDirectory("storagelab-book-");
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                PathUtils.deleteDirectory(dir);
                            } catch (java.io.IOException e) {
                                System.err.println("storagelab book: could not delete " + dir + ": " + e.getMessage());
                            }
                        },
                        "book-cleanup"));
        return dir;
    }
}
