package dev.storagelab.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.storagelab.io.FaultInjectingStorage.CrashMode;
import dev.storagelab.io.FaultInjectingStorage.Op;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link FaultInjectingStorage#failNext(Op)} and {@link FaultInjectingStorage#failNext(Op, String)}:
 * a failed system call fails exactly once, says which call it was, and changes nothing, so an
 * engine's error path can be tested call by call.
 */
class FaultInjectingStorageFailNextTest {

    FaultInjectingStorage s;
    final Map<String, WritableFile> writers = new HashMap<>();
    final Map<String, ReadableFile> readers = new HashMap<>();

    /** Two durable files per operation ("append-x", "append-y", ...), each with a writer holding
     *  unforced bytes and a reader, so every operation has something it could change. */
    @BeforeEach
    void setUp() throws IOException {
        s = new FaultInjectingStorage(1);
        for (Op op : Op.values()) {
            for (String base : new String[] {file(op, "x"), file(op, "y")}) {
                s.plant(base, bytes("durable " + base));
                WritableFile w = s.openAppend(base);
                w.append(bytes(" +unforced"));
                writers.put(base, w);
                readers.put(base, s.openRead(base));
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static String file(Op op, String which) {
        return op.name().toLowerCase() + "-" + which;
    }

    /** The name a call of {@code op} on {@code base} passes to the storage, so a named fault can target it. */
    private static String target(Op op, String base) {
        return op == Op.CREATE ? base + ".new" : base;
    }

    /** One call of {@code op} on the file {@code base} (for CREATE: a new file next to it). */
    private void perform(Op op, String base) throws IOException {
        switch (op) {
            case CREATE -> s.create(target(op, base)).close();
            case OPEN_APPEND -> s.openAppend(base).close();
            case OPEN_READ -> s.openRead(base).close();
            case APPEND -> writers.get(base).append(bytes("!"));
            case WRITE_AT -> writers.get(base).writeAt(2, bytes("!"));
            case FORCE -> writers.get(base).force();
            case READ -> readers.get(base).read(0, ByteBuffer.allocate(4));
            case RENAME -> s.rename(base, base + ".renamed");
            case DELETE -> s.delete(base);
            case TRUNCATE -> s.truncate(base, 3);
            case SYNC_DIRECTORY -> s.syncDirectory();
            case LIST -> s.exists(base);
            default -> throw new AssertionError("no call written for " + op);
        }
    }

    /** Every file's visible and durable bytes. */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String name : s.list()) {
            out.put(
                    name,
                    new String(s.contents(name), UTF_8) + " | durable: " + new String(s.durableContents(name), UTF_8));
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void theNextCallOfThatOpFailsOnceNamingItAndHasNoEffect(Op op) throws IOException {
        String base = file(op, "x");
        Map<String, String> before = snapshot();
        s.failNext(op);
        IOException e = assertThrows(IOException.class, () -> perform(op, base), op + " should fail once");
        assertThat("the message says which call failed", e.getMessage(), containsString(op.name()));
        assertThat(
                "an injected fault is an ordinary I/O error, not a crash",
                e,
                not(instanceOf(FaultInjectingStorage.PowerLossException.class)));
        assertThat("a failed " + op + " must change nothing, durable or visible", snapshot(), equalTo(before));
        assertDoesNotThrow(() -> perform(op, base), "the fault is used up: the same call now succeeds");
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void callsOfOtherOpsAreUnaffected(Op op) throws IOException {
        s.failNext(op);
        for (Op other : Op.values()) {
            if (other != op) {
                assertDoesNotThrow(
                        () -> perform(other, file(other, "x")), "a fault armed for " + op + " must not hit " + other);
            }
        }
        assertThrows(IOException.class, () -> perform(op, file(op, "x")), "the fault still waits for " + op);
    }

    @ParameterizedTest
    @EnumSource(value = Op.class, names = "SYNC_DIRECTORY", mode = EnumSource.Mode.EXCLUDE)
    void aNamedFaultHitsOnlyThatFile(Op op) throws IOException {
        String victim = target(op, file(op, "x"));
        s.failNext(op, victim);
        assertDoesNotThrow(() -> perform(op, file(op, "y")), op + " on another file is unaffected");
        IOException e =
                assertThrows(IOException.class, () -> perform(op, file(op, "x")), op + " on " + victim + " fails");
        assertThat(
                "the message names the call and the file",
                e.getMessage(),
                allOf(containsString(op.name()), containsString(victim)));
        assertDoesNotThrow(() -> perform(op, file(op, "x")), "only the next matching call fails");
    }

    @Test
    void eachFailNextArmsOneFailure() throws IOException {
        s.failNext(Op.APPEND);
        s.failNext(Op.APPEND);
        WritableFile w = writers.get(file(Op.APPEND, "x"));
        assertThrows(IOException.class, () -> w.append(bytes("1")), "first armed failure");
        assertThrows(IOException.class, () -> w.append(bytes("2")), "second armed failure");
        w.append(bytes("3"));
        assertThat(
                "only the third append took effect",
                new String(s.contents(w.name()), UTF_8),
                is("durable append-x +unforced3"));
    }

    @Test
    void aFailedDirectorySyncMakesNothingDurable() throws IOException {
        s.create("pending.log").close();
        s.failNext(Op.SYNC_DIRECTORY);
        assertThrows(IOException.class, s::syncDirectory);
        s.crashMode(CrashMode.LOSE_UNSYNCED).powerLoss();
        assertThat("the create was never made durable, so it is lost", s.exists("pending.log"), is(false));
    }

    @Test
    void aFailedListLeavesListingToTheNextCall() throws IOException {
        FaultInjectingStorage fresh = new FaultInjectingStorage(2);
        fresh.plant("a", bytes("a"));
        fresh.failNext(Op.LIST);
        IOException e = assertThrows(IOException.class, fresh::list);
        assertThat(e.getMessage(), containsString("LIST"));
        assertThat(fresh.list(), contains("a"));
    }

    @Test
    void powerLossDisarmsPendingFaults() throws IOException {
        s.failNext(Op.CREATE);
        s.failNext(Op.READ, file(Op.READ, "x"));
        s.powerLoss();
        s.create("after").close();
        try (ReadableFile r = s.openRead(file(Op.READ, "x"))) {
            assertThat(
                    "a fault armed before the reboot is gone after it", r.readFully(0, 7), equalTo(bytes("durable")));
        }
    }
}
