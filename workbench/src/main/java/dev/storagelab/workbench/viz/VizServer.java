package dev.storagelab.workbench.viz;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.storagelab.events.EventType;
import dev.storagelab.workbench.Engine;
import dev.storagelab.workbench.EngineFactory;
import dev.storagelab.workbench.EventTaps;
import dev.storagelab.workbench.Workload;
import dev.storagelab.workbench.WorkloadRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.io.file.PathUtils;

/**
 * The viewer's web server ({@code ./storagelab viz}): the page and its script from the jar, and a
 * small JSON API over the runs it was given and the live runs started from the page.
 *
 * <p>It is the JDK's own {@link HttpServer}: a dozen routes on the loopback interface need no
 * framework, and the workbench's jar stays free of a servlet container.
 *
 * <p><b>What the browser can reach:</b> the five files of the page, by exact name, and the runs,
 * by number: no path from a request is ever resolved against the file system, so nothing the
 * browser sends can read a file other than the recordings given on the command line and the live
 * runs' own. It listens on 127.0.0.1 unless told otherwise. Every answer carries the headers of a
 * {@link PagePolicy}: what a recording holds cannot run as script in the page.
 */
public final class VizServer implements AutoCloseable {

    /** The port when none is given. */
    public static final int DEFAULT_PORT = 7340;
    /** The most operations and keys a live run started from the page may have. */
    static final long MAX_LIVE = 1_000_000;
    /** The most events one request for a window of events returns. */
    static final int MAX_WINDOW = 500;
    /** The most events one request for a window looks at, snapshots it leaves out included. */
    static final int MAX_SCANNED = 20 * MAX_WINDOW;

    /** The page's files, by the path they are served at: each with its resource and its type. */
    static final Map<String, String[]> ASSETS = Map.of(
            "/", new String[] {"viz/index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"viz/index.html", "text/html; charset=utf-8"},
            "/app.js", new String[] {"viz/app.js", "text/javascript; charset=utf-8"},
            "/dom.js", new String[] {"viz/dom.js", "text/javascript; charset=utf-8"},
            "/views.js", new String[] {"viz/views.js", "text/javascript; charset=utf-8"},
            "/app.css", new String[] {"viz/app.css", "text/css; charset=utf-8"});

    private final HttpServer server;
    private final List<RecordedRun> runs = new CopyOnWriteArrayList<>();
    private final Path liveDir;
    private final PrintStream log;
    private final ExecutorService liveRunner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "viz-live-run");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean liveBusy = new AtomicBoolean();
    /** The folder of the live run's engine while one runs: {@link #close} deletes it if the run cannot. */
    private final java.util.concurrent.atomic.AtomicReference<Path> liveEngineDir =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * Starts serving on {@code bind}:{@code port} (0: any free port) the recordings in {@code files};
     * live runs are recorded under {@code liveDir}. A recording that cannot be opened is reported on
     * {@code log} and in the page; the server starts anyway.
     *
     * @throws IllegalArgumentException if the port is in use
     */
    public VizServer(InetAddress bind, int port, List<Path> files, long maxBytes, Path liveDir, PrintStream log)
            throws IOException {
        this.liveDir = liveDir;
        this.log = log;
        for (Path f : files) {
            RecordedRun run = RecordedRun.open(runs.size(), f, maxBytes);
            runs.add(run);
            if (run.error() != null) {
                log.println("storagelab viz: cannot open " + run.error());
            } else {
                log.println("storagelab viz: opened " + f + ": " + run.count() + " events ("
                        + run.header().get("engine").getAsString() + ", "
                        + run.header().get("workload").getAsString() + ")");
                run.warnings().forEach(w -> log.println("storagelab viz: warning: " + f + ": " + w));
            }
        }
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 64);
        } catch (BindException e) {
            throw new IllegalArgumentException("port " + port + " is in use on " + bind.getHostAddress()
                    + "; choose another with --port N (--port 0 takes any free port)");
        }
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "viz-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Serves the files under {@code dir} at {@code prefix} (a path that starts and ends with /): the
     * book beside the viewer ({@code ./storagelab book --serve}). A request's path is resolved
     * inside {@code dir} only; a path that leaves it, or names no file, is answered 404.
     */
    public void serveFolder(String prefix, Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        server.createContext(prefix, ex -> {
            try { // the exchange is closed after the answer, an error's included (not before a catch clause)
                if (!localHost(ex)) {
                    error(ex, 403, "this server answers requests for localhost or 127.0.0.1 only");
                    return;
                }
                String rel = URLDecoder.decode(
                        ex.getRequestURI().getRawPath().substring(prefix.length()), StandardCharsets.UTF_8);
                Path file = base.resolve(rel.isEmpty() || rel.endsWith("/") ? rel + "index.html" : rel)
                        .normalize();
                if (!ex.getRequestMethod().equals("GET") || !file.startsWith(base) || !Files.isRegularFile(file)) {
                    error(ex, 404, "nothing at " + ex.getRequestURI().getRawPath());
                    return;
                }
                send(ex, 200, contentType(file.getFileName().toString()), Files.readAllBytes(file), PagePolicy.FOLDER);
            } catch (IllegalArgumentException e) { // a path that is no path, a bad %-escape
                error(ex, 404, "nothing at " + ex.getRequestURI().getRawPath());
            } finally {
                ex.close();
            }
        });
    }

    private static String contentType(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (n.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (n.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (n.endsWith(".png")) {
            return "image/png";
        }
        if (n.endsWith(".json")) {
            return "application/json";
        }
        return "text/plain; charset=utf-8";
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Where live runs are recorded. */
    public Path liveDir() {
        return liveDir;
    }

    /** The runs it serves, by number. */
    public List<RecordedRun> runs() {
        return List.copyOf(runs);
    }

    /**
     * Stops serving, stops a live run that is going on (waiting briefly for it), and deletes that
     * run's engine folder: a server stopped from outside leaves no folder behind.
     */
    @Override
    public void close() {
        server.stop(0);
        liveRunner.shutdownNow();
        try {
            liveRunner.awaitTermination(STOP_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path dir = liveEngineDir.getAndSet(null);
        if (dir != null) {
            deleteQuietly(dir);
        }
        runs.forEach(RecordedRun::closeChannel);
    }

    /** How long {@link #close} waits for a live run to stop. */
    static final long STOP_MILLIS = 1_500;

    private void deleteQuietly(Path dir) {
        try {
            PathUtils.deleteDirectory(dir);
        } catch (IOException e) {
            log.println("storagelab viz: could not delete " + dir + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- routing

    private void handle(HttpExchange ex) throws IOException {
        try { // the exchange is closed after the answer, an error's included (not before a catch clause)
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            String method = ex.getRequestMethod();
            if (!localHost(ex)) {
                error(ex, 403, "this server answers requests for localhost or 127.0.0.1 only");
                return;
            }
            if (path.equals("/health")) {
                send(ex, 200, "text/plain; charset=utf-8", "ok\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String[] asset = ASSETS.get(path);
            if (asset != null && method.equals("GET")) {
                try (InputStream in = VizServer.class.getClassLoader().getResourceAsStream(asset[0])) {
                    if (in == null) {
                        error(
                                ex,
                                500,
                                "the page's file " + asset[0] + " is missing from the jar; rebuild the workbench");
                        return;
                    }
                    send(ex, 200, asset[1], in.readAllBytes());
                }
                return;
            }
            if (path.equals("/api/runs") && method.equals("GET")) {
                JsonArray a = new JsonArray();
                for (RecordedRun r : runs) {
                    a.add(describe(r));
                }
                json(ex, a);
                return;
            }
            if (path.equals("/api/engines") && method.equals("GET")) {
                json(ex, engines());
                return;
            }
            if (path.equals("/api/live") && method.equals("POST")) {
                if (!"1".equals(ex.getRequestHeaders().getFirst("X-Storagelab"))) {
                    error(ex, 403, "a live run is started from the viewer's page only");
                    return;
                }
                startLive(ex, q);
                return;
            }
            if (path.startsWith("/api/runs/") && method.equals("GET")) {
                String[] parts = path.substring("/api/runs/".length()).split("/", -1);
                RecordedRun run = runByNumber(parts[0]);
                if (run == null) {
                    error(ex, 404, "no run number " + parts[0] + "; the runs are 0 to " + (runs.size() - 1));
                    return;
                }
                String what = parts.length > 1 ? parts[1] : "";
                if (run.error() != null && !what.isEmpty()) {
                    error(ex, 422, run.error());
                    return;
                }
                switch (what) {
                    case "" -> json(ex, describe(run));
                    case "state" -> json(ex, RunState.at(run, position(run, q)));
                    case "events" -> json(ex, window(run, q));
                    case "find" -> json(ex, find(run, q));
                    case "at" -> json(ex, atTime(run, q));
                    case "timeline" -> json(ex, timeline(run, q));
                    default -> error(ex, 404, "no such view of a run: " + what);
                }
                return;
            }
            error(ex, 404, "nothing at " + path);
        } catch (IllegalArgumentException e) {
            error(ex, 400, e.getMessage());
        } catch (RuntimeException e) {
            log.println("storagelab viz: " + e);
            error(ex, 500, "the server failed on this request: " + e);
        } finally {
            ex.close();
        }
    }

    /**
     * Whether the request names this machine in its Host header: a page from elsewhere that got a
     * name of its to resolve to 127.0.0.1 (DNS rebinding) is turned away. Behind {@code --bind} on
     * another address every host is answered.
     */
    private boolean localHost(HttpExchange ex) {
        if (!server.getAddress().getAddress().isLoopbackAddress()) {
            return true;
        }
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return true;
        }
        String name = host.replaceFirst(":\\d+$", "");
        return name.equals("localhost") || name.equals("127.0.0.1") || name.equals("[::1]");
    }

    private RecordedRun runByNumber(String s) {
        if (!s.matches("\\d{1,9}")) {
            return null;
        }
        int i = Integer.parseInt(s);
        return i < runs.size() ? runs.get(i) : null;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            q.put(k, v);
        }
        return q;
    }

    private static long number(Map<String, String> q, String name, long dflt) {
        String v = q.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, not '" + v + "'");
        }
    }

    private static int position(RecordedRun run, Map<String, String> q) {
        int n = run.count();
        long at = number(q, "at", n - 1);
        return (int) Math.max(-1, Math.min(at, n - 1L));
    }

    // ---------------------------------------------------------------- answers

    private static JsonObject describe(RecordedRun r) {
        JsonObject o = new JsonObject();
        o.addProperty("id", r.id());
        o.addProperty("name", r.name());
        o.add("header", r.header());
        o.addProperty("count", r.count());
        o.addProperty("live", r.isLive());
        o.addProperty("durationNanos", r.count() == 0 ? 0 : r.time(r.count() - 1));
        o.addProperty("error", r.error());
        JsonArray w = new JsonArray();
        r.warnings().forEach(w::add);
        o.add("warnings", w);
        return o;
    }

    /**
     * Up to {@code count} events from {@code from} on; with {@code hide=snapshot}, the engine's
     * pictures are left out (the event at {@code at} is kept whatever it is), looking at most
     * {@link #MAX_SCANNED} events.
     */
    private static JsonObject window(RecordedRun run, Map<String, String> q) {
        int n = run.count();
        long from = Math.max(0, Math.min(number(q, "from", 0), n));
        long count = Math.max(0, Math.min(number(q, "count", 50), MAX_WINDOW));
        boolean hideSnapshots = EventType.SNAPSHOT.id().equals(q.get("hide"));
        long keep = number(q, "at", -1);
        JsonArray a = new JsonArray();
        for (long i = from; i < n && a.size() < count && i - from < MAX_SCANNED; i++) {
            JsonObject e = run.event((int) i);
            if (hideSnapshots
                    && i != keep
                    && EventType.SNAPSHOT.id().equals(e.get("type").getAsString())) {
                continue;
            }
            a.add(e);
        }
        JsonObject o = new JsonObject();
        o.addProperty("from", from);
        o.addProperty("count", n);
        o.add("events", a);
        return o;
    }

    /** The next (or previous) event of a type from a position; {@code root=true} finds root splits only. */
    private static JsonObject find(RecordedRun run, Map<String, String> q) {
        String type = q.getOrDefault("type", "");
        int code = RecordedRun.TYPES.indexOf(type);
        if (code < 0) {
            throw new IllegalArgumentException("no event type '" + type + "'; the types are " + RecordedRun.TYPES);
        }
        boolean back = "prev".equals(q.get("dir"));
        boolean rootOnly = "true".equals(q.get("root"));
        int from = (int) number(q, "from", back ? run.count() : -1);
        // Root splits have an index of their own: finding one never reads the run's other splits.
        boolean rootIndex = rootOnly && type.equals(EventType.PAGE_SPLIT.id());
        RecordedRun.IntList p = rootIndex ? run.rootSplits() : run.positions(code);
        rootOnly &= !rootIndex;
        int k = p.countAtMost(from);
        int found = -1;
        if (back) {
            for (int j = p.countAtMost(from - 1) - 1; j >= 0 && found < 0; j--) {
                found = matches(run, p.get(j), rootOnly) ? p.get(j) : -1;
            }
        } else {
            for (int j = k; j < p.size() && found < 0; j++) {
                found = matches(run, p.get(j), rootOnly) ? p.get(j) : -1;
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("at", found);
        return o;
    }

    private static boolean matches(RecordedRun run, int i, boolean rootOnly) {
        if (!rootOnly) {
            return true;
        }
        JsonElement root = run.event(i).get("root");
        return root != null && root.getAsBoolean();
    }

    private static JsonObject atTime(RecordedRun run, Map<String, String> q) {
        JsonObject o = new JsonObject();
        o.addProperty("at", run.count() == 0 ? -1 : run.atTime(number(q, "t", 0)));
        return o;
    }

    /** Event counts per time bucket, per family (the B+tree, the LSM tree, log and transactions, the hybrid). */
    private static JsonObject timeline(RecordedRun run, Map<String, String> q) {
        int buckets = (int) Math.max(1, Math.min(number(q, "buckets", 400), 2000));
        int n = run.count();
        long duration = n == 0 ? 1 : Math.max(1, run.time(n - 1));
        String[] families = {"btree", "lsm", "wal", "hybrid"};
        int[][] counts = new int[families.length][buckets];
        for (int c = 0; c < RecordedRun.TYPES.size(); c++) {
            int f = family(RecordedRun.TYPES.get(c));
            if (f < 0) {
                continue;
            }
            RecordedRun.IntList p = run.positions(c);
            for (int k = 0; k < p.size(); k++) {
                int b = (int) Math.min(buckets - 1, run.time(p.get(k)) * buckets / duration);
                counts[f][b]++;
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("durationNanos", duration);
        o.add("families", EventRecorder.GSON.toJsonTree(families));
        o.add("counts", EventRecorder.GSON.toJsonTree(counts));
        return o;
    }

    private static int family(String type) {
        if (type.startsWith("page.") || type.equals(EventType.CHECKPOINT.id())) {
            return 0;
        }
        if (type.startsWith("flush.") || type.startsWith("compaction.")) {
            return 1;
        }
        if (type.startsWith("wal.") || type.startsWith("txn.") || type.startsWith("version.")) {
            return 2;
        }
        if (type.startsWith("route.") || type.startsWith("migration.") || type.startsWith("tier.")) {
            return 3;
        }
        return -1;
    }

    private static JsonObject engines() {
        JsonObject o = new JsonObject();
        JsonArray e = new JsonArray();
        for (Engine engine : Engine.values()) {
            if (engine.onDisk() && engine != Engine.HYBRID_SIMPLE) {
                e.add(engine.id());
            }
        }
        JsonArray w = new JsonArray();
        for (Workload wl : Workload.values()) {
            w.add(wl.id());
        }
        o.add("engines", e);
        o.add("workloads", w);
        JsonArray types = new JsonArray();
        RecordedRun.TYPES.forEach(types::add);
        o.add("types", types);
        return o;
    }

    // ---------------------------------------------------------------- live runs

    private void startLive(HttpExchange ex, Map<String, String> q) throws IOException {
        String engineId = q.getOrDefault("engine", "");
        EngineFactory engine = null;
        for (Engine e : Engine.values()) {
            if (e.id().equals(engineId)) {
                engine = e;
            }
        }
        JsonArray allowed = engines().getAsJsonArray("engines");
        if (engine == null || !allowed.contains(new com.google.gson.JsonPrimitive(engineId))) {
            throw new IllegalArgumentException(
                    "engine '" + engineId + "' reports no events or does not exist; choose one of " + allowed);
        }
        Workload workload = Workload.byId(q.getOrDefault("workload", ""));
        long keys = number(q, "keys", 10_000);
        long ops = number(q, "ops", 10_000);
        if (keys < 1 || keys > MAX_LIVE || ops < 1 || ops > MAX_LIVE) {
            throw new IllegalArgumentException("keys and ops must be between 1 and " + MAX_LIVE);
        }
        if (!liveBusy.compareAndSet(false, true)) {
            error(ex, 409, "a live run is going on; wait for it to end");
            return;
        }
        RecordedRun run;
        try {
            Files.createDirectories(liveDir);
            int id = runs.size();
            String name = "live-" + id + "-" + engineId + "-" + workload.id() + ".jsonl";
            Path file = liveDir.resolve(name);
            JsonObject header = new JsonObject();
            header.addProperty("format", RunFormat.FORMAT);
            header.addProperty("version", RunFormat.VERSION);
            header.addProperty("engine", engineId);
            header.addProperty("workload", workload.id());
            header.addProperty("keys", keys);
            header.addProperty("ops", ops);
            run = RecordedRun.live(id, name, file, header);
            runs.add(run);
            EngineFactory chosen = engine;
            liveRunner.execute(() -> runLive(run, chosen, workload, new WorkloadRunner.Spec(keys, ops, 100, 42), file));
        } catch (IOException | RuntimeException e) {
            liveBusy.set(false);
            throw e;
        }
        log.println("storagelab viz: live run " + run.id() + ": " + workload.id() + " on " + engineId + " (" + ops
                + " ops, " + keys + " keys), recorded in " + run.name());
        json(ex, describe(run));
    }

    private void runLive(
            RecordedRun run, EngineFactory engine, Workload workload, WorkloadRunner.Spec spec, Path file) {
        String failure = null;
        Path dir = null;
        try {
            dir = Files.createTempDirectory("storagelab-viz-");
            liveEngineDir.set(dir);
            try (Engine.Handle handle = engine.open(dir)) {
                EventTaps.runRecorded(handle, workload, spec, file, run.sink());
            }
        } catch (IOException | RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
            log.println("storagelab viz: live run " + run.id() + " failed: " + failure);
        } finally {
            run.finish(failure);
            liveBusy.set(false);
            if (dir != null && liveEngineDir.compareAndSet(dir, null)) {
                deleteQuietly(dir);
            }
        }
    }

    // ---------------------------------------------------------------- replies

    private static void json(HttpExchange ex, JsonElement body) throws IOException {
        send(
                ex,
                200,
                "application/json; charset=utf-8",
                EventRecorder.GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("error", message);
        send(
                ex,
                status,
                "application/json; charset=utf-8",
                EventRecorder.GSON.toJson(o).getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        send(ex, status, type, body, PagePolicy.VIEWER);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, String policy) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        PagePolicy.set(ex.getResponseHeaders(), policy);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
