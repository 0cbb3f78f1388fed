package dev.storagelab.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;

import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The shapes a power loss may leave in RANDOM mode, as properties: a torn file is a prefix of what
 * was written cut at a sector boundary, and the directory is the state after some prefix of the
 * unsynced create/rename/delete calls. The oracles are computed from the specification, not from
 * the simulator.
 */
class FaultInjectingStorageTornWriteTest {

    /** The sector size the specification promises tears happen at. */
    private static final int SECTOR = 512;

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * Where a file with {@code durable} forced bytes and an unforced tail up to {@code end} may be
     * cut by a power loss: the durable end, the full end, and every sector boundary between them.
     */
    static TreeSet<Integer> allowedCuts(int durable, int end) {
        TreeSet<Integer> cuts = new TreeSet<>(List.of(durable, end));
        for (int s = SECTOR; s < end; s += SECTOR) {
            if (s > durable) {
                cuts.add(s);
            }
        }
        return cuts;
    }

    /** Writes {@code durable} forced bytes then {@code unforced} more, loses power, returns what is left. */
    private static byte[] survivorOf(byte[] written, int durable, long seed) throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(seed).crashMode(CrashMode.RANDOM);
        try (WritableFile f = s.create("a.log")) {
            f.append(written, 0, durable);
            f.force();
            s.syncDirectory();
            f.append(written, durable, written.length - durable);
        }
        s.powerLoss();
        return s.contents("a.log");
    }

    @Property(tries = 300)
    void anUnforcedTailSurvivesOnlyAsAPrefixCutAtASectorBoundary(
            @ForAll @IntRange(min = 0, max = 3000) int durable,
            @ForAll @IntRange(min = 0, max = 3000) int unforced,
            @ForAll long seed)
            throws IOException {
        byte[] written = randomBytes(durable + unforced, seed);
        byte[] after = survivorOf(written, durable, seed);
        assertThat(
                "a torn write ends at the durable end, a 512-byte sector boundary or the full end; " + "durable="
                        + durable + " end=" + written.length,
                allowedCuts(durable, written.length),
                hasItem(after.length));
        assertThat(
                "the survivor is exactly the first bytes written, never garbage",
                after,
                equalTo(Arrays.copyOf(written, after.length)));
    }

    @Example
    void everyAllowedCutPointOccursOverManySeeds() throws IOException {
        int[][] cases = {{100, 1700}, {512, 2048}, {0, 1000}, {700, 900}};
        for (int[] c : cases) {
            int durable = c[0];
            int end = c[1];
            byte[] written = randomBytes(end, end);
            TreeSet<Integer> seen = new TreeSet<>();
            for (long seed = 0; seed < 300; seed++) {
                seen.add(survivorOf(written, durable, seed).length);
            }
            assertThat(
                    "durable=" + durable + " end=" + end
                            + ": every allowed cut must occur, or crash tests miss states engines must survive",
                    seen,
                    equalTo(allowedCuts(durable, end)));
        }
    }

    // ---------------------------------------------------------------- directory prefixes

    /** One unsynced directory call: create, rename (to {@code other}) or delete of {@code name}. */
    record DirCall(String kind, String name, String other) {}

    @Provide
    Arbitrary<List<DirCall>> dirCalls() {
        Arbitrary<String> names = Arbitraries.of("a", "b", "c");
        return Combinators.combine(Arbitraries.of("create", "rename", "delete"), names, names)
                .as(DirCall::new)
                .list()
                .ofMaxSize(10);
    }

    @Property(tries = 300)
    void unsyncedDirectoryChangesSurviveAsAPrefixOfTheCallsInOrder(
            @ForAll("dirCalls") List<DirCall> calls, @ForAll CrashMode mode, @ForAll long seed) throws IOException {
        FaultInjectingStorage s = new FaultInjectingStorage(seed).crashMode(mode);
        s.plant("a", "v0".getBytes(UTF_8));
        // The oracle: a name -> content map after each call that took effect.
        Map<String, String> dir = new TreeMap<>(Map.of("a", "v0"));
        List<Map<String, String>> states = new ArrayList<>(List.of(new TreeMap<>(dir)));
        int version = 1;
        for (DirCall call : calls) {
            boolean exists = dir.containsKey(call.name());
            switch (call.kind()) {
                case "create" -> {
                    if (exists) {
                        continue;
                    }
                    String content = "v" + version++;
                    try (WritableFile f = s.create(call.name())) {
                        f.append(content.getBytes(UTF_8));
                        f.force(); // content is durable; only the directory entry is at risk
                    }
                    dir.put(call.name(), content);
                }
                case "rename" -> {
                    if (!exists) {
                        continue;
                    }
                    s.rename(call.name(), call.other());
                    dir.put(call.other(), dir.remove(call.name()));
                }
                default -> {
                    if (!exists) {
                        continue;
                    }
                    s.delete(call.name());
                    dir.remove(call.name());
                }
            }
            states.add(new TreeMap<>(dir));
        }
        s.powerLoss();
        Map<String, String> after = new TreeMap<>();
        for (String name : s.list()) {
            after.put(name, new String(s.contents(name), UTF_8));
        }
        switch (mode) {
            case LOSE_UNSYNCED -> assertThat("nothing unsynced survives", after, equalTo(states.get(0)));
            case KEEP_UNSYNCED -> assertThat("everything survives", after, equalTo(states.get(states.size() - 1)));
            case RANDOM ->
                assertThat(
                        "the directory after the crash is the state after some prefix of the calls " + calls
                                + "; the states in order were " + states,
                        states,
                        hasItem(after));
        }
        assertThat(
                "after a power loss nothing is pending: a second one changes nothing",
                afterSecondPowerLoss(s),
                is(after));
    }

    private static Map<String, String> afterSecondPowerLoss(FaultInjectingStorage s) throws IOException {
        s.crashMode(CrashMode.LOSE_UNSYNCED).powerLoss();
        Map<String, String> again = new TreeMap<>();
        for (String name : s.list()) {
            again.put(name, new String(s.contents(name), UTF_8));
        }
        return again;
    }
}
