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
        assertThat(hamcrest.get("expected").getAsString(), is("is \"v2\""));
        assertThat(hamcrest.get("actual").getAsString(), is("was \"v1\""));
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
