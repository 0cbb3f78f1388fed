package dev.storagelab.testkit;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.storagelab.testkit.hidden.HiddenRecordingExamples;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * A failing public test leaves a recording of its engines' events, for the viewer, when
 * {@code ./storagelab test} asks for one: a JUnit test's events, a property's shrunk try only, the
 * test's expected and actual values; nothing for a passing test, a test of no engine, a hidden
 * test, or a run that did not ask.
 */
class FailureRecordingTest {

    @TempDir
    Path tmp;

    private List<String> run(Class<?> examples, boolean asked) throws IOException {
        Path dir = tmp.resolve("failures");
        if (asked) {
            System.setProperty(FailureRecorder.PROPERTY, dir.toString());
        }
        try {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(examples))
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                    .configurationParameter(
                            "jqwik.database", tmp.resolve("jqwik-db").toString())
                    .build();
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener summary = new SummaryGeneratingListener();
            launcher.execute(request, summary);
            assertThat("the examples ran", summary.getSummary().getTestsFoundCount(), greaterThanOrEqualTo(1L));
        } finally {
            System.clearProperty(FailureRecorder.PROPERTY);
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private List<String> lines(String name) throws IOException {
        return Files.readAllLines(tmp.resolve("failures").resolve(name));
    }

    @Test
    void aFailingTestOfAnEngineLeavesItsEventsAndWhatItExpected() throws IOException {
        List<String> files = run(RecordingExamples.class, true);
        assertThat(
                "a passing test, and a failing test of no engine, leave nothing",
                files,
                containsInAnyOrder(
                        "RecordingExamples.failsWithEvents.jsonl",
                        "RecordingExamples.failsWithAHamcrestMessage.jsonl",
                        "RecordingExamples.failsOnceThreeKeysAreBig.jsonl"));
        List<String> run = lines("RecordingExamples.failsWithEvents.jsonl");
        JsonObject header = JsonParser.parseString(run.get(0)).getAsJsonObject();
        assertThat(header.get("format").getAsString(), is("storagelab-events"));
        assertThat(header.get("test").getAsString(), is("RecordingExamples.failsWithEvents"));
        assertThat(header.get("expected").getAsString(), is("4"));
        assertThat(header.get("actual").getAsString(), is("3"));
        assertThat(header.get("view").getAsString(), is("lsm"));
        assertThat("three flushes, the failure's mark, the end line", run, hasSize(1 + 3 + 1 + 1));
        assertThat(header.get("failedAt").getAsInt(), is(3));
        assertThat(run.get(4), org.hamcrest.Matchers.containsString("\"phase\":\"the test failed here\""));
        JsonObject hamcrest = JsonParser.parseString(lines("RecordingExamples.failsWithAHamcrestMessage.jsonl")
                        .get(0))
                .getAsJsonObject();
        assertThat("the value, not Hamcrest's words", hamcrest.get("expected").getAsString(), is("v2"));
        assertThat(hamcrest.get("actual").getAsString(), is("v1"));
        assertThat(
                "Hamcrest's own text stays in the message",
                hamcrest.get("failure").getAsString(),
                org.hamcrest.Matchers.containsString("Expected: is \"v2\"\n     but: was \"v1\""));
    }

    @Test
    void hamcrestsDescriptionsOfValuesBecomeTheValues() {
        assertThat(Failure.value("is <5>", "is"), is("5"));
        assertThat(Failure.value("was <4>", "was"), is("4"));
        assertThat(Failure.value("<5>", "is"), is("5"));
        assertThat(Failure.value("is <[a, b]>", "is"), is("[a, b]"));
        assertThat(Failure.value("was \"a \\\"quoted\\\" line\\n\"", "was"), is("a \"quoted\" line\n"));
        assertThat(Failure.value("is null", "is"), is("null"));
        assertThat(Failure.value("was null", "was"), is("null"));
        assertThat(Failure.value("is [<1>, <2>]", "is"), is("[<1>, <2>]"));
        assertThat(Failure.value(" was <multi\nline>\n", "was"), is("multi\nline"));
        // a matcher's own words are not a value: kept whole
        assertThat(Failure.value("is not <5>", "is"), is("is not <5>"));
        assertThat(Failure.value("a value greater than <3>", "is"), is("a value greater than <3>"));
        assertThat(Failure.value("<2> was less than <3>", "was"), is("<2> was less than <3>"));
        assertThat(Failure.value("is an empty collection", "is"), is("is an empty collection"));
        assertThat(Failure.value("is \"a\" or \"b\"", "is"), is("is \"a\" or \"b\""));
        assertThat(Failure.value("was \"ends in a backslash\\\"", "was"), is("was \"ends in a backslash\\\""));
    }

    @Test
    void aLabOneRecordingNamesItsEngineByWhatItIs() throws IOException {
        FailureRecorder.Events events = new FailureRecorder.Events();
        events.accept(new java.util.HashMap<>(opened("dev.storagelab.sortedlog.SortedLogStore")));
        events.accept(new java.util.HashMap<>(java.util.Map.of("type", "flush.end", "nanos", 1L)));
        events.accept(new java.util.HashMap<>(java.util.Map.of("type", "compaction.finished", "nanos", 2L)));
        Path file = tmp.resolve("sortedlog.jsonl");
        FailureRecorder.writeRun(file, events, "SortedLogStoreTest.flushes", new AssertionError("failed"));
        JsonObject header =
                JsonParser.parseString(Files.readAllLines(file).get(0)).getAsJsonObject();
        assertThat("lab-01's store, not the LSM tree", header.get("engine").getAsString(), is("sortedlog"));
        assertThat("shown on the LSM tree's view", header.get("view").getAsString(), is("lsm"));
        assertThat(FailureRecorder.engine(List.of(opened("dev.storagelab.btree.BufferPool")), "btree"), is("btree"));
        assertThat(
                "an engine of another family is not the one shown",
                FailureRecorder.engine(
                        List.of(
                                opened("dev.storagelab.btree.BPlusTree"),
                                opened("dev.storagelab.sortedlog.SortedLogStore")),
                        "lsm"),
                is("sortedlog"));
        assertThat("no opening: the view's name", FailureRecorder.engine(List.of(), "wal"), is("kv"));
    }

    @Test
    void aFailingPropertyLeavesTheEventsOfItsShrunkSample() throws IOException {
        run(RecordingExamples.class, true);
        List<String> run = lines("RecordingExamples.failsOnceThreeKeysAreBig.jsonl");
        List<Integer> keys = run.subList(1, run.size() - 2).stream()
                .map(l -> JsonParser.parseString(l).getAsJsonObject().get("key").getAsInt())
                .toList();
        assertThat("the shrunk sample: three keys of 10, nothing else: " + keys, keys, hasSize(3));
        assertThat(keys, everyItem(is(10)));
    }

    private static java.util.Map<String, Object> opened(String engine) {
        return java.util.Map.of("type", "run.phase", "phase", "opened", "engine", engine, "nanos", 0L);
    }

    @Test
    void anEngineThatReportedOnlyItsOpeningIsShownOnItsOwnView() {
        assertThat(
                FailureRecorder.family(
                        List.of(opened("dev.storagelab.btree.BufferPool"), opened("dev.storagelab.btree.BPlusTree"))),
                is("btree"));
        assertThat(FailureRecorder.family(List.of(opened("dev.storagelab.wal.Wal"))), is("wal"));
        assertThat(FailureRecorder.family(List.of(opened("dev.storagelab.lsm.LsmStore"))), is("lsm"));
        assertThat(
                FailureRecorder.family(
                        List.of(opened("dev.storagelab.lsm.LsmStore"), opened("dev.storagelab.hybrid.TieredEngine"))),
                is("hybrid"));
        assertThat(
                "the engine's own events outweigh the openings of others",
                FailureRecorder.family(List.of(
                        opened("dev.storagelab.btree.BufferPool"),
                        java.util.Map.of("type", "flush.begin", "nanos", 1L),
                        java.util.Map.of("type", "flush.end", "nanos", 2L))),
                is("lsm"));
    }

    @Test
    void hiddenTestsAndRunsThatDidNotAskRecordNothing() throws IOException {
        assertThat(run(HiddenRecordingExamples.class, true), is(empty()));
        assertThat(run(RecordingExamples.class, false), is(empty()));
    }
}
