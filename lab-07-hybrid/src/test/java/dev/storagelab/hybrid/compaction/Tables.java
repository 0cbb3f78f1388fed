package dev.storagelab.hybrid.compaction;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.lsm.Compaction;
import dev.storagelab.lsm.CompactionPolicy;
import dev.storagelab.lsm.FileMeta;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.ValueType;
import dev.storagelab.lsm.Version;
import dev.storagelab.lsm.VersionEdit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Test support: keys with a time prefix, tables and versions built by hand, a policy that records what it saw. */
final class Tables {

    private Tables() {}

    /** An order key: the 8-byte big-endian time, then {@code -id}. */
    static Bytes at(long time, int id) {
        byte[] suffix = String.format("-%06d", id).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return Bytes.wrap(
                ByteBuffer.allocate(8 + suffix.length).putLong(time).put(suffix).array());
    }

    static Bytes at(long time) {
        return at(time, 0);
    }

    static FileMeta table(long number, long size, Bytes smallest, Bytes largest) {
        return new FileMeta(
                number,
                size,
                new InternalKey(smallest, number * 100 + 1, ValueType.PUT),
                new InternalKey(largest, number * 100, ValueType.PUT));
    }

    /** A version from (level, table) pairs. */
    static Version version(Object... levelAndTable) {
        VersionEdit edit = new VersionEdit();
        for (int i = 0; i < levelAndTable.length; i += 2) {
            edit.addFile((Integer) levelAndTable[i], (FileMeta) levelAndTable[i + 1]);
        }
        return Version.empty().apply(edit);
    }

    static List<Long> numbers(List<FileMeta> files) {
        List<Long> out = new ArrayList<>();
        files.forEach(f -> out.add(f.number()));
        out.sort(null);
        return out;
    }

    static Bytes value(int i, int version) {
        return Bytes.of("v" + i + "-" + version + "-" + "x".repeat(60));
    }

    static List<Entry> drain(EntryIterator it) {
        List<Entry> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    static List<Entry> entries(TreeMap<Bytes, Bytes> model) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<Bytes, Bytes> e : model.entrySet()) {
            out.add(Entry.put(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** Small sizes, flushes and compactions on the writer's thread: repeatable runs. */
    static LsmOptions tiny() {
        return LsmOptions.tiny();
    }

    /** A policy that passes every call on and keeps the versions it was shown and the compactions it returned. */
    static final class Recording implements CompactionPolicy {
        final CompactionPolicy inner;
        final List<Version> versions = new ArrayList<>();
        final List<Compaction> picks = new ArrayList<>();

        Recording(CompactionPolicy inner) {
            this.inner = inner;
        }

        @Override
        public synchronized Compaction pick(Version v, LsmOptions options, InternalKey[] compactPointer) {
            Compaction c = inner.pick(v, options, compactPointer);
            versions.add(v);
            if (c != null) {
                picks.add(c);
            }
            return c;
        }

        @Override
        public boolean cutBetween(byte[] previousUserKey, byte[] userKey) {
            return inner.cutBetween(previousUserKey, userKey);
        }
    }
}
