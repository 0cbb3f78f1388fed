package dev.storagelab.lsm;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.kv.Bytes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The given {@link LevelIterator} over tables you write (T4): a level read as one sorted run, one
 * table open at a time, a seek that lands in the right table or the one after it.
 */
class LevelIteratorTest {

    private final FaultInjectingStorage storage = new FaultInjectingStorage();
    private final TreeMap<byte[], byte[]> model = new TreeMap<>(InternalKey.ORDER::compare);
    private final List<FileMeta> files = new ArrayList<>();
    private final Map<Long, Table> tables = new TreeMap<>();
    private int open;
    private int maxOpen;

    private static byte[] ik(int user, long seq) {
        return new InternalKey(Bytes.of(String.format("k%05d", user)), seq, ValueType.PUT).encode();
    }

    /** Tables of users [from, to) in steps of 3, each user with versions at sequences 30 and 20. */
    private void table(long number, int from, int to) throws IOException {
        String name = number + ".sst";
        TableBuilder.Result r;
        try (TableBuilder b = new TableBuilder(storage, name, TableBuilder.Options.defaults())) {
            for (int u = from; u < to; u += 3) {
                for (long seq : new long[] {30, 20}) {
                    byte[] v = Bytes.of("v" + u + "@" + seq).toByteArray();
                    b.add(ik(u, seq), v);
                    model.put(ik(u, seq), v);
                }
            }
            r = b.finish();
        }
        files.add(new FileMeta(number, r.fileSize(), r.smallest(), r.largest()));
        tables.put(number, Table.open(storage, name, number, null));
    }

    private LevelIterator level() {
        return new LevelIterator(files, f -> {
            Table.Cursor c = tables.get(f.number()).cursor();
            open++;
            maxOpen = Math.max(maxOpen, open);
            return new ForwardingCursor(c);
        });
    }

    /** Counts the cursors open at once. */
    private final class ForwardingCursor implements InternalIterator {
        private final InternalIterator c;
        private boolean closed;

        ForwardingCursor(InternalIterator c) {
            this.c = c;
        }

        public boolean valid() {
            return c.valid();
        }

        public void seekToFirst() throws IOException {
            c.seekToFirst();
        }

        public void seek(byte[] target) throws IOException {
            c.seek(target);
        }

        public void next() throws IOException {
            c.next();
        }

        public void seekToLast() throws IOException {
            c.seekToLast();
        }

        public void prev() throws IOException {
            c.prev();
        }

        public byte[] key() {
            return c.key();
        }

        public byte[] value() {
            return c.value();
        }

        public void close() {
            if (!closed) {
                closed = true;
                open--;
                c.close();
            }
        }
    }

    private void build() throws IOException {
        table(1, 0, 300);
        table(2, 300, 600);
        table(3, 600, 900);
        table(4, 900, 1200);
    }

    @Test
    void aLevelReadsAsOneSortedRunForwardAndBackwardWithOneTableOpenAtATime() throws IOException {
        build();
        List<Bytes> forward = new ArrayList<>();
        try (LevelIterator it = level()) {
            for (it.seekToFirst(); it.valid(); it.next()) {
                forward.add(Bytes.copyOf(it.key()));
            }
        }
        assertThat(forward, equalTo(model.keySet().stream().map(Bytes::copyOf).toList()));
        List<Bytes> backward = new ArrayList<>();
        try (LevelIterator it = level()) {
            for (it.seekToLast(); it.valid(); it.prev()) {
                backward.add(Bytes.copyOf(it.key()));
            }
        }
        assertThat(
                backward,
                equalTo(model.descendingKeySet().stream().map(Bytes::copyOf).toList()));
        assertThat("never more than one table open", maxOpen, lessThanOrEqualTo(1));
        assertThat("every cursor closed", open, equalTo(0));
    }

    @Test
    void aSeekLandsOnTheFirstEntryAtOrAfterItsTargetAcrossTableBoundaries() throws IOException {
        build();
        try (LevelIterator it = level()) {
            for (int u = -1; u <= 1201; u++) {
                for (long seq : new long[] {40, 30, 25, 20, 10}) {
                    byte[] target = ik(u, seq);
                    it.seek(target);
                    Map.Entry<byte[], byte[]> want = model.ceilingEntry(target);
                    if (want == null) {
                        assertThat("past the last key at user " + u + " seq " + seq, it.valid(), equalTo(false));
                    } else {
                        assertThat("seek to user " + u + " seq " + seq, it.valid(), equalTo(true));
                        assertThat("seek to user " + u + " seq " + seq, it.key(), equalTo(want.getKey()));
                        assertThat(it.value(), equalTo(want.getValue()));
                    }
                }
            }
        }
        assertThat(maxOpen, lessThanOrEqualTo(1));
        assertThat(open, equalTo(0));
    }

    @Test
    void anEmptyLevelIsNeverValid() throws IOException {
        try (LevelIterator it = level()) {
            it.seekToFirst();
            assertThat(it.valid(), equalTo(false));
            it.seek(ik(5, 1));
            assertThat(it.valid(), equalTo(false));
            it.seekToLast();
            assertThat(it.valid(), equalTo(false));
        }
    }
}
