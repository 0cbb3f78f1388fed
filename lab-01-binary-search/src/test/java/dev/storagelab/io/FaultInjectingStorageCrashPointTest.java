package dev.storagelab.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.FaultInjectingStorage.PowerLossException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link FaultInjectingStorage#crashBeforeMutation(long)} and {@link FaultInjectingStorage#mutationCount()}:
 * the tools a crash test uses to stop a workload before each of its mutating calls in turn.
 */
class FaultInjectingStorageCrashPointTest {

    /** The handles a workload holds between its steps. */
    static final class Handles {
        WritableFile log;
        WritableFile seg;
    }

    /** One step of a workload: exactly one mutating call. */
    interface Step {
        void run(FaultInjectingStorage s, Handles h) throws IOException;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    /**
     * A miniature engine's life: a log is written and synced, a segment is written under a
     * temporary name and published by rename, the log is cut and then dropped, the segment is
     * reopened, extended and patched in place. Every kind of mutating call appears; each step
     * makes exactly one.
     */
    static final List<Step> WORKLOAD = List.of(
            (s, h) -> h.log = s.create("000001.log"),
            (s, h) -> h.log.append(bytes("put k1 v1;")),
            (s, h) -> h.log.force(),
            (s, h) -> s.syncDirectory(),
            (s, h) -> h.seg = s.create("000002.tmp"),
            (s, h) -> h.seg.append(bytes("k1=v1")),
            (s, h) -> h.seg.force(),
            (s, h) -> s.rename("000002.tmp", "000002.seg"),
            (s, h) -> s.syncDirectory(),
            (s, h) -> s.truncate("000001.log", 4),
            (s, h) -> h.log.force(),
            (s, h) -> s.delete("000001.log"),
            (s, h) -> h.seg = s.openAppend("000002.seg"),
            (s, h) -> h.seg.append(bytes(";k2=v2")),
            (s, h) -> h.seg.writeAt(3, bytes("V1")));

    /** Runs the first {@code n} steps of the workload. */
    private static void runSteps(FaultInjectingStorage s, int n) throws IOException {
        Handles h = new Handles();
        for (Step step : WORKLOAD.subList(0, n)) {
            step.run(s, h);
        }
    }

    /** Every file's name and bytes, as a map that prints readably in a failure. */
    private static Map<String, String> files(FaultInjectingStorage s) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String name : s.list()) {
            out.put(name, new String(s.contents(name), UTF_8));
        }
        return out;
    }

    @Test
    void mutationCountCountsEachStepOfTheWorkloadOnce() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(1);
        runSteps(s, WORKLOAD.size());
        assertThat(
                "each step makes exactly one mutating call, so the count is the number of crash points",
                s.mutationCount(),
                is((long) WORKLOAD.size()));
    }

    @Test
    void mutationCountCountsMutatingCallsAndNothingElse() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(1);
        s.plant("a", bytes("abc"));
        WritableFile w = s.openAppend("a");
        ReadableFile r = s.openRead("a");
        // Values from the Javadoc of mutationCount(): create, append, in-place write, force, rename,
        // delete, truncate, directory sync and opening for append mutate; looking and reading do not.
        Map<String, Executable> reads = new LinkedHashMap<>();
        reads.put("openRead", () -> s.openRead("a").close());
        reads.put("read", () -> r.read(0, ByteBuffer.allocate(3)));
        reads.put("reader size", r::size);
        reads.put("writer size", w::size);
        reads.put("exists", () -> s.exists("a"));
        reads.put("size", () -> s.size("a"));
        reads.put("list", s::list);
        reads.put("contents", () -> s.contents("a"));
        Map<String, Executable> mutations = new LinkedHashMap<>();
        mutations.put("create", () -> s.create("b"));
        mutations.put("append", () -> w.append(bytes("d")));
        mutations.put("writeAt", () -> w.writeAt(1, bytes("B")));
        mutations.put("force", w::force);
        mutations.put("rename", () -> s.rename("b", "c"));
        mutations.put("delete", () -> s.delete("c"));
        mutations.put("truncate", () -> s.truncate("a", 1));
        mutations.put("syncDirectory", s::syncDirectory);
        mutations.put("openAppend", () -> s.openAppend("a"));
        for (Map.Entry<String, Executable> e : reads.entrySet()) {
            long before = s.mutationCount();
            run(e.getValue());
            assertThat(
                    e.getKey() + " does not change anything, so it is not a crash point",
                    s.mutationCount(),
                    is(before));
        }
        for (Map.Entry<String, Executable> e : mutations.entrySet()) {
            long before = s.mutationCount();
            run(e.getValue());
            assertThat(e.getKey() + " is a crash point: it counts once", s.mutationCount(), is(before + 1));
        }
    }

    private static void run(Executable call) {
        try {
            call.execute();
        } catch (Throwable t) {
            throw new AssertionError("the call itself should succeed", t);
        }
    }

    @ParameterizedTest
    @EnumSource(CrashMode.class)
    void theArmedCallFailsWithoutEffectAtEveryCrashPoint(CrashMode mode) throws IOException {
        for (int n = 1; n <= WORKLOAD.size(); n++) {
            FaultInjectingStorage crashed = new FaultInjectingStorage(n).crashMode(mode);
            crashed.crashBeforeMutation(n);
            Handles h = new Handles();
            int completed = 0;
            PowerLossException thrown = null;
            try {
                for (Step step : WORKLOAD) {
                    step.run(crashed, h);
                    completed++;
                }
            } catch (PowerLossException e) {
                thrown = e;
            }
            assertThat(
                    "crash point " + n + ": the workload must stop with PowerLossException", thrown != null, is(true));
            assertThat(
                    "crash point " + n + ": exactly " + (n - 1) + " steps complete before the armed call",
                    completed,
                    is(n - 1));
            assertThat("the storage knows it is down", crashed.isCrashed(), is(true));
            assertThat("the message says which mutation it was", thrown.getMessage(), containsString("#" + n));

            // The same seed and the same n-1 completed steps, with no crash armed: if the armed
            // call had any effect, the two storages would differ after the power loss.
            FaultInjectingStorage clean = new FaultInjectingStorage(n).crashMode(mode);
            runSteps(clean, n - 1);
            crashed.powerLoss();
            clean.powerLoss();
            assertThat(
                    mode + " crash point " + n + ": the call that crashed had no effect",
                    files(crashed),
                    equalTo(files(clean)));
        }
    }

    @Test
    void everyCallFailsAfterTheCrashUntilPowerLoss() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(2);
        s.plant("a", bytes("abc"));
        WritableFile w = s.openAppend("a");
        ReadableFile r = s.openRead("a");
        s.crashBeforeMutation(1);
        assertThrows(PowerLossException.class, () -> s.create("b"), "the armed call");
        List<Executable> calls = new ArrayList<>(List.of(
                () -> s.create("c"),
                () -> s.openAppend("a"),
                () -> s.openRead("a"),
                () -> s.exists("a"),
                () -> s.size("a"),
                s::list,
                () -> s.rename("a", "d"),
                () -> s.delete("a"),
                () -> s.truncate("a", 0),
                s::syncDirectory,
                () -> w.append(bytes("x")),
                () -> w.writeAt(0, bytes("x")),
                w::force,
                w::size,
                () -> r.read(0, ByteBuffer.allocate(1)),
                r::size));
        for (int i = 0; i < calls.size(); i++) {
            assertThrows(
                    PowerLossException.class,
                    calls.get(i),
                    "call #" + i + " after the crash: the process is dead until the test calls powerLoss()");
        }
        assertThat(s.isCrashed(), is(true));

        s.powerLoss();
        assertThat("powerLoss boots the storage again", s.isCrashed(), is(false));
        s.create("c").close();
        assertThat("new calls work after the reboot", s.list(), equalTo(List.of("a", "c")));
    }

    @Test
    void theCountStartsFromTheCallThatArmsTheCrash() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(3);
        s.create("a").close();
        s.create("b").close();
        s.crashBeforeMutation(2);
        s.create("c").close();
        assertThat("the first mutation after arming is allowed", s.isCrashed(), is(false));
        assertThrows(PowerLossException.class, () -> s.create("d"), "the second mutation after arming crashes");
    }

    @Test
    void readsNeverTriggerAnArmedCrash() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(4);
        s.plant("a", bytes("abc"));
        s.crashBeforeMutation(1);
        try (ReadableFile r = s.openRead("a")) {
            assertThat(r.readFully(0, 3), equalTo(bytes("abc")));
        }
        assertThat(s.list(), equalTo(List.of("a")));
        assertThat("only a mutation can be a crash point", s.isCrashed(), is(false));
    }

    @Test
    void powerLossDisarmsAPendingCrash() throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(5);
        s.crashBeforeMutation(1);
        s.powerLoss();
        s.create("a").close();
        assertThat("a crash armed before a power loss does not fire after it", s.isCrashed(), is(false));
    }

    @Test
    void crashBeforeMutationRejectsNonPositiveCounts() {
        FaultInjectingStorage s = new FaultInjectingStorage();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> s.crashBeforeMutation(0), "there is no 0th mutation");
        assertThat(e.getMessage(), containsString("0"));
    }
}
