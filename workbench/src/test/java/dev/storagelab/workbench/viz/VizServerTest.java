package dev.storagelab.workbench.viz;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.btree.BPlusTree;
import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.io.DiskStorage;
import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.testkit.BenchData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The viewer's server without a browser: recordings good and bad, the API, what it refuses to serve. */
class VizServerTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(VizServer server, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private VizServer serve(List<Path> files, ByteArrayOutputStream log) throws IOException {
        return new VizServer(
                InetAddress.getLoopbackAddress(),
                0,
                files,
                RunFormat.MAX_BYTES,
                dir.resolve("live"),
                new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @Test
    void badRecordingsAreRefusedWithAReasonAndTheServerKeepsRunning() throws Exception {
        Path good = VizTestRuns.lsmRun(dir, "good.jsonl", LsmOptions.CompactionStyle.LEVELED, 800);
        Path notJson = Files.writeString(dir.resolve("notjson.jsonl"), "timestamp,key\n1,a\n");
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.jsonl"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path newer = Files.writeString(
                dir.resolve("newer.jsonl"), Files.readString(good).replace("\"version\":1", "\"version\":9"));
        Path changed = Files.writeString(
                dir.resolve("changed.jsonl"), Files.readString(good).replaceFirst("\"level\":0", "\"level\":5"));
        Path huge = dir.resolve("huge.jsonl");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(10L << 30); // 10 GiB, sparse: nothing is written
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (VizServer server = serve(List.of(good, notJson, truncated, newer, changed, huge), log)) {
            String terminal = log.toString(StandardCharsets.UTF_8);
            assertThat(
                    "the terminal names each bad file and what is wrong with it",
                    terminal,
                    allOf(
                            containsString("notjson.jsonl: is not a storagelab event recording: line 1 is not JSON"),
                            containsString("truncated.jsonl: the recording is truncated"),
                            containsString(
                                    "newer.jsonl: was recorded in format version 9; this workbench reads version 1"),
                            containsString("changed.jsonl: its checksum does not match"),
                            containsString("huge.jsonl: is 10.0 GiB; the viewer opens recordings up to 1.0 GiB")));
            String runs = get(server, "/api/runs").body();
            assertThat(
                    "the page gets the same messages",
                    runs,
                    allOf(
                            containsString("line 1 is not JSON"),
                            containsString("format version 9"),
                            containsString("is 10.0 GiB")));
            assertThat(
                    "a refused run has no state",
                    get(server, "/api/runs/1/state").statusCode(),
                    equalTo(422));
            JsonObject cut =
                    JsonParser.parseString(get(server, "/api/runs/2").body()).getAsJsonObject();
            assertThat(
                    "the truncated run opens with its complete events",
                    cut.get("count").getAsInt(),
                    greaterThan(0));
            assertThat(get(server, "/health").statusCode(), equalTo(200));
            assertThat(get(server, "/api/runs/0/state?at=3").statusCode(), equalTo(200));
        }
    }

    @Test
    void theBrowserCanReachOnlyThePageAndTheRunsByNumber() throws Exception {
        Path good = VizTestRuns.lsmRun(dir, "good.jsonl", LsmOptions.CompactionStyle.LEVELED, 300);
        Files.writeString(dir.resolve("secret.txt"), "do not serve");
        try (VizServer server = serve(List.of(good), new ByteArrayOutputStream())) {
            for (String path : List.of(
                    "/../secret.txt",
                    "/secret.txt",
                    "/api/runs/..%2Fsecret.txt",
                    "/api/runs/1",
                    "/viz/app.js",
                    "/api/runs/0/../../secret.txt")) {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + server.port() + path.replace("..", "%2E%2E")))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(path, r.body(), org.hamcrest.Matchers.not(containsString("do not serve")));
                assertThat(path, r.statusCode(), is(404));
            }
            assertThat(get(server, "/app.js").body(), containsString("storagelab viz"));
            try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), server.port())) {
                socket.getOutputStream()
                        .write(("GET /api/runs HTTP/1.1\r\nHost: attacker.example:" + server.port()
                                        + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                String status = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)
                        .lines()
                        .findFirst()
                        .orElse("");
                assertThat("a name that rebinds to 127.0.0.1 is turned away", status, containsString("403"));
            }
            HttpResponse<String> live = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + server.port() + "/api/live?engine=btree&workload=fillseq"))
                            .POST(HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat("a page from elsewhere cannot start a run", live.statusCode(), is(403));
        }
    }

    /** A Content-Security-Policy's directives, by name, each with its sources. */
    private static Map<String, List<String>> directives(String policy) {
        Map<String, List<String>> d = new TreeMap<>();
        for (String part : policy.split(";")) {
            List<String> words = List.of(part.trim().split("\\s+"));
            if (!words.get(0).isEmpty()) {
                d.put(words.get(0), words.subList(1, words.size()));
            }
        }
        return d;
    }

    @Test
    void everyAnswerCarriesAStrictContentSecurityPolicy() throws Exception {
        Path good = VizTestRuns.lsmRun(dir, "good.jsonl", LsmOptions.CompactionStyle.LEVELED, 300);
        Path book = Files.createDirectories(dir.resolve("book"));
        Files.writeString(book.resolve("index.html"), "<!doctype html><title>book</title>");
        Files.writeString(book.resolve("book.js"), "'use strict';");
        try (VizServer server = serve(List.of(good), new ByteArrayOutputStream())) {
            server.serveFolder("/book/", book);
            List<String> viewer = new ArrayList<>(new TreeSet<>(VizServer.ASSETS.keySet()));
            viewer.addAll(List.of(
                    "/api/runs",
                    "/api/runs/0",
                    "/api/runs/0/state?at=3",
                    "/api/engines",
                    "/health",
                    "/nothing",
                    "/api/runs/9"));
            List<String> folder = List.of("/book/", "/book/index.html", "/book/book.js", "/book/missing.html");
            for (String path : concat(viewer, folder)) {
                HttpResponse<String> r = get(server, path);
                Map<String, List<String>> csp = directives(
                        r.headers().firstValue("Content-Security-Policy").orElse(""));
                assertThat(path + " " + csp, csp.get("default-src"), equalTo(List.of("'none'")));
                assertThat(
                        path + ": scripts from this server only, none inline",
                        csp.get("script-src"),
                        equalTo(List.of("'self'")));
                assertThat(
                        path + ": styles from this server only, no style attribute",
                        csp.get("style-src"),
                        equalTo(List.of("'self'")));
                assertThat(path + ": no other site frames it", csp.get("frame-ancestors"), equalTo(List.of("'none'")));
                assertThat(path, csp.get("base-uri"), equalTo(List.of("'none'")));
                assertThat(path, csp.get("form-action"), equalTo(List.of("'none'")));
                assertThat(
                        path, r.headers().firstValue("X-Content-Type-Options").orElse(""), equalTo("nosniff"));
                if (viewer.contains(path)) {
                    assertThat(
                            path + ": no markup made from a string",
                            csp.get("require-trusted-types-for"),
                            equalTo(List.of("'script'")));
                    assertThat(path, csp.get("trusted-types"), equalTo(List.of("'none'")));
                }
            }
            assertThat(get(server, "/").body(), containsString("<script src=\"dom.js\"></script>"));
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * The page's scripts (and the book's) put what they show into the document as elements and
     * text: none of them gives a string to the browser to parse as markup or as code.
     */
    @Test
    void thePageScriptsNeverHandTheBrowserAStringToParse() throws Exception {
        List<String> scripts = new ArrayList<>();
        for (String[] asset : VizServer.ASSETS.values()) {
            if (asset[0].endsWith(".js")) {
                scripts.add(asset[0]);
            }
        }
        scripts.add("book/book.js");
        assertThat("the page's scripts and the book's", scripts.size(), greaterThanOrEqualTo(3));
        java.util.regex.Pattern sinks = java.util.regex.Pattern.compile(
                "innerHTML|outerHTML|insertAdjacentHTML|document\\.write|createContextualFragment|DOMParser"
                        + "|\\beval\\(|new Function\\(|setTimeout\\(\\s*['\"`]|setInterval\\(\\s*['\"`]");
        List<String> found = new ArrayList<>();
        for (String script : scripts) {
            String[] lines;
            try (var in = VizServer.class.getClassLoader().getResourceAsStream(script)) {
                assertThat(script + " is in the jar", in, org.hamcrest.Matchers.notNullValue());
                lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            }
            for (int n = 0; n < lines.length; n++) {
                if (sinks.matcher(lines[n]).find() && !lines[n].trim().startsWith("//")) {
                    found.add(script + ":" + (n + 1) + ": " + lines[n].trim());
                }
            }
        }
        assertThat(found, org.hamcrest.Matchers.empty());
    }

    /** A request the server cannot answer gets its status and the reason, not a closed connection. */
    @Test
    void aBadRequestIsAnsweredWithItsReason() throws Exception {
        Path good = VizTestRuns.lsmRun(dir, "good.jsonl", LsmOptions.CompactionStyle.LEVELED, 300);
        Path book = Files.createDirectories(dir.resolve("book"));
        try (VizServer server = serve(List.of(good), new ByteArrayOutputStream())) {
            server.serveFolder("/book/", book);
            HttpResponse<String> at = get(server, "/api/runs/0/state?at=NaN");
            assertThat(at.statusCode(), equalTo(400));
            assertThat(at.body(), containsString("at must be a whole number, not 'NaN'"));
            HttpResponse<String> type = get(server, "/api/runs/0/find?type=page.splat");
            assertThat(type.statusCode(), equalTo(400));
            assertThat(type.body(), containsString("no event type 'page.splat'"));
            HttpResponse<String> escape = get(server, "/book/%00");
            assertThat(escape.statusCode(), equalTo(404));
            assertThat(escape.body(), containsString("nothing at /book/%00"));
        }
    }

    @Test
    void aPortInUseIsNamedWithTheFlag() throws Exception {
        try (VizServer first = serve(List.of(), new ByteArrayOutputStream())) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> new VizServer(
                            InetAddress.getLoopbackAddress(),
                            first.port(),
                            List.of(),
                            RunFormat.MAX_BYTES,
                            dir,
                            System.out));
            assertThat(
                    e.getMessage(),
                    allOf(containsString("port " + first.port() + " is in use"), containsString("--port")));
        }
    }

    @Test
    void theVizCommandNamesAPortInUseAndTheFlagThatChoosesAnother() throws Exception {
        try (VizServer first = serve(List.of(), new ByteArrayOutputStream());
                VizProcess second = VizProcess.start(List.of("--port", String.valueOf(first.port())))) {
            int exit = second.awaitExit(java.time.Duration.ofMinutes(2));
            assertThat("viz exits when its port is taken: " + second.output(), exit, equalTo(2));
            assertThat(
                    second.stderr(),
                    allOf(
                            containsString("port " + first.port() + " is in use"),
                            containsString("--port N"),
                            containsString("--port 0 takes any free port")));
        }
    }

    private static String runJava(Path dir, List<String> args) throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        cmd.addAll(args.subList(0, args.indexOf("--")));
        cmd.addAll(List.of("-cp", classpath));
        cmd.addAll(args.subList(args.indexOf("--") + 1, args.size()));
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return "exit " + p.exitValue() + ": " + out.strip();
    }

    @Test
    void switchedOffEnginesReportNothingEvenToAListenerAndTheWorkbenchRefusesToRecord() throws Exception {
        Path on = Files.createDirectories(dir.resolve("on"));
        Path off = Files.createDirectories(dir.resolve("off"));
        String shipped = runJava(dir, List.of("--", EventsOffProbe.class.getName(), on.toString()));
        assertThat(
                "events on (the default): a listener hears splits, flushes and compactions",
                shipped,
                org.hamcrest.Matchers.matchesPattern("exit 0: btree=[1-9]\\d* lsm=[1-9]\\d*"));
        String baseline =
                runJava(dir, List.of("-Dstoragelab.events=off", "--", EventsOffProbe.class.getName(), off.toString()));
        assertThat(
                "-Dstoragelab.events=off: every guard is false before it asks the listener",
                baseline,
                equalTo("exit 0: btree=0 lsm=0"));
        Path file = dir.resolve("refused.jsonl");
        String refused = runJava(
                dir,
                List.of(
                        "-Dstoragelab.events=off",
                        "--",
                        "dev.storagelab.workbench.cli.WorkbenchMain",
                        "workload",
                        "--no-progress",
                        "--engine",
                        "btree",
                        "--workload",
                        "fillseq",
                        "--keys",
                        "100",
                        "--ops",
                        "100",
                        "--events",
                        file.toString()));
        assertThat(
                refused,
                allOf(
                        containsString("exit 2"),
                        containsString("events are switched off in this JVM"),
                        containsString("-Dstoragelab.events=off")));
        assertThat("nothing is recorded", Files.exists(file), is(false));
    }

    @Test
    void theStateAtACompactionShowsItsOutputsInTheirLevel() throws Exception {
        Path run = VizTestRuns.lsmRun(dir, "lsm.jsonl", LsmOptions.CompactionStyle.LEVELED, 1500);
        int compaction = VizTestRuns.first(run, "compaction.finished");
        assertThat("the tiny LSM tree compacts", compaction, greaterThan(0));
        try (VizServer server = serve(List.of(run), new ByteArrayOutputStream())) {
            JsonObject found = JsonParser.parseString(get(server, "/api/runs/0/find?type=compaction.finished&from=0")
                            .body())
                    .getAsJsonObject();
            assertThat(found.get("at").getAsInt(), equalTo(compaction));
            JsonObject state = JsonParser.parseString(
                            get(server, "/api/runs/0/state?at=" + compaction).body())
                    .getAsJsonObject();
            JsonObject event = state.getAsJsonObject("event");
            int output = event.get("output").getAsInt();
            List<Long> tablesInOutput = new ArrayList<>();
            state.getAsJsonObject("lsm").getAsJsonArray("tables").forEach(t -> {
                if (t.getAsJsonObject().get("level").getAsInt() == output) {
                    tablesInOutput.add(t.getAsJsonObject().get("file").getAsLong());
                }
            });
            event.getAsJsonArray("outputs")
                    .forEach(o -> assertThat(
                            "output " + o + " is drawn in level " + output,
                            tablesInOutput.contains(
                                    o.getAsJsonObject().get("file").getAsLong()),
                            is(true)));
            event.getAsJsonArray("inputs")
                    .forEach(i -> state.getAsJsonObject("lsm")
                            .getAsJsonArray("tables")
                            .forEach(t -> assertThat(
                                    "input " + i + " is gone",
                                    t.getAsJsonObject().get("file").getAsLong()
                                                    == i.getAsJsonObject()
                                                            .get("file")
                                                            .getAsLong()
                                            && !event.get("trivialMove").getAsBoolean(),
                                    is(false))));
        }
    }

    @Test
    void aBTreeReportsItsRootSplitAndATreeWithoutAListenerReportsNothing() throws Exception {
        List<EngineEvent> heard = new ArrayList<>();
        EventListener listener = heard::add;
        try (BPlusTree tree = BPlusTree.open(DiskStorage.open(dir.resolve("tree")))) {
            for (int i = 0; i < 100; i++) {
                tree.put(Bytes.wrap(BenchData.keyBytes(i)), Bytes.wrap(new byte[100]));
            }
            assertThat("no listener, no events", heard.size(), is(0));
            tree.setEventListener(listener);
            for (int i = 100; i < 6000; i++) { // keys in order fill leaves three quarters: 6,000 make a third level
                tree.put(Bytes.wrap(BenchData.keyBytes(i)), Bytes.wrap(new byte[100]));
            }
            tree.checkpoint();
        }
        EngineEvent rootSplit = heard.stream()
                .filter(e -> e.type().id().equals("page.split")
                        && Boolean.TRUE.equals(e.fields().get("root")))
                .findFirst()
                .orElse(null);
        assertThat("the tree grew a level while it was heard", rootSplit == null, is(false));
        assertThat(
                heard.stream().filter(e -> e.type().id().equals("checkpoint")).count(), equalTo(1L));
        assertThat(EventListener.orNone(null).isEnabled(), is(false));
        assertThat(EngineEvent.keyText((byte[]) null), nullValue());
    }

    @Test
    void aMillionEventRunIsAnsweredAWindowAtATime() throws Exception {
        int n = 1_000_000;
        Path big = VizTestRuns.millionEventRun();
        try (VizServer server = serve(List.of(big), new ByteArrayOutputStream())) {
            JsonObject described =
                    JsonParser.parseString(get(server, "/api/runs/0").body()).getAsJsonObject();
            assertThat("the whole run is indexed", described.get("count").getAsInt(), equalTo(n));
            assertThat(
                    "opened whole, with no warning: " + described,
                    described.getAsJsonArray("warnings").size(),
                    equalTo(0));
            for (int at : new int[] {0, n / 2, n - 1}) {
                HttpResponse<String> state = get(server, "/api/runs/0/state?at=" + at);
                assertThat("state at " + at, state.statusCode(), equalTo(200));
                assertThat(
                        "the state at " + at + " is a picture of the position, not of the run",
                        state.body().length(),
                        lessThan(256 * 1024));
                JsonObject s = JsonParser.parseString(state.body()).getAsJsonObject();
                assertThat(s.get("at").getAsInt(), equalTo(at));
                assertThat(
                        "a level lists at most " + RunState.MAX_PAGES_PER_LEVEL + " pages",
                        s.getAsJsonObject("btree").getAsJsonArray("pages").size(),
                        lessThanOrEqualTo(2 * RunState.MAX_PAGES_PER_LEVEL));
                JsonObject counts = s.getAsJsonObject("counts");
                assertThat(
                        "every split so far is counted",
                        counts.has("page.split") ? counts.get("page.split").getAsInt() : 0,
                        greaterThanOrEqualTo(at / 4));

                HttpResponse<String> window =
                        get(server, "/api/runs/0/events?from=" + Math.max(0, at - 30) + "&count=100000");
                JsonObject w = JsonParser.parseString(window.body()).getAsJsonObject();
                assertThat(
                        "a window holds at most " + VizServer.MAX_WINDOW + " events, however many are asked for",
                        w.getAsJsonArray("events").size(),
                        lessThanOrEqualTo(VizServer.MAX_WINDOW));
                assertThat(w.getAsJsonArray("events").size(), greaterThan(0));
                assertThat(w.get("count").getAsInt(), equalTo(n));
                assertThat(window.body().length(), lessThan(VizServer.MAX_WINDOW * 1024));
                assertThat(
                        "the window starts where it was asked to",
                        w.getAsJsonArray("events")
                                .get(0)
                                .getAsJsonObject()
                                .get("i")
                                .getAsInt(),
                        equalTo(Math.max(0, at - 30)));
            }
            HttpResponse<String> timeline = get(server, "/api/runs/0/timeline?buckets=300");
            assertThat("the timeline is counts per bucket", timeline.body().length(), lessThan(64 * 1024));
            JsonObject root = JsonParser.parseString(
                            get(server, "/api/runs/0/find?type=page.split&root=true&from=" + (n / 2) + "&dir=next")
                                    .body())
                    .getAsJsonObject();
            assertThat("the next root split after the middle", root.get("at").getAsInt(), equalTo(550_001));
            JsonObject last = JsonParser.parseString(get(server, "/api/runs/0/find?type=page.split&root=true&dir=prev")
                            .body())
                    .getAsJsonObject();
            assertThat("the last root split", last.get("at").getAsInt(), equalTo(950_001));
        }
    }
}
