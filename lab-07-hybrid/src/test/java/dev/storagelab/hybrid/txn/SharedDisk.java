package dev.storagelab.hybrid.txn;

import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ForwardingWritableFile;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@link FaultInjectingStorage} seen as three directories, {@code hot/}, {@code cold/} and
 * {@code coord/}: the two participants' storages and the coordinator's share <em>one</em> crash
 * counter and <em>one</em> power loss, as three directories of one machine do. Crash point n is
 * the n-th file operation of the whole run, whichever directory it touches; {@link #owners} says
 * which one it was (the view records each mutation it passes down).
 *
 * <p>One simplification: a directory sync of one view makes every view's directory changes
 * durable (they are one directory underneath), so a crash sweep cannot catch a missing directory
 * sync in one participant that another participant's sync covers. The logs and checkpoint records
 * used here (lab-06's) sync their directories themselves.
 */
public final class SharedDisk {

    public final FaultInjectingStorage disk;
    public final Storage hot;
    public final Storage cold;
    public final Storage coordinator;
    /** The view ('h', 'c' or 'k') each mutation went to, in order, when {@link #trace} is on. */
    public final List<Character> owners = new ArrayList<>();

    public boolean trace;

    public SharedDisk(long seed, FaultInjectingStorage.CrashMode mode) {
        this.disk = new FaultInjectingStorage(seed).crashMode(mode);
        this.hot = new View("hot.", 'h');
        this.cold = new View("cold.", 'c');
        this.coordinator = new View("coord.", 'k');
    }

    /** The number of mutations of each view in {@link #owners}: {hot, cold, coordinator}. */
    public long[] mutationsPerView() {
        long[] n = new long[3];
        for (char c : owners) {
            n[c == 'h' ? 0 : c == 'c' ? 1 : 2]++;
        }
        return n;
    }

    private final class View extends ForwardingStorage {
        private final String prefix;
        private final char owner;

        View(String prefix, char owner) {
            super(disk);
            this.prefix = prefix;
            this.owner = owner;
        }

        /** Runs before each mutation passed down; records its owner unless it is about to crash. */
        private void note() {
            if (trace) {
                owners.add(owner);
            }
        }

        @Override
        public WritableFile create(String name) throws IOException {
            note();
            return wrap(super.create(prefix + Storage.checkName(name)));
        }

        @Override
        public WritableFile openAppend(String name) throws IOException {
            note();
            return wrap(super.openAppend(prefix + Storage.checkName(name)));
        }

        @Override
        public ReadableFile openRead(String name) throws IOException {
            return super.openRead(prefix + Storage.checkName(name));
        }

        @Override
        public boolean exists(String name) throws IOException {
            return super.exists(prefix + Storage.checkName(name));
        }

        @Override
        public long size(String name) throws IOException {
            return super.size(prefix + Storage.checkName(name));
        }

        @Override
        public List<String> list() throws IOException {
            List<String> out = new ArrayList<>();
            for (String n : super.list()) {
                if (n.startsWith(prefix)) {
                    out.add(n.substring(prefix.length()));
                }
            }
            return out;
        }

        @Override
        public void rename(String from, String to) throws IOException {
            note();
            super.rename(prefix + Storage.checkName(from), prefix + Storage.checkName(to));
        }

        @Override
        public void delete(String name) throws IOException {
            note();
            super.delete(prefix + Storage.checkName(name));
        }

        @Override
        public void truncate(String name, long size) throws IOException {
            note();
            super.truncate(prefix + Storage.checkName(name), size);
        }

        @Override
        public void syncDirectory() throws IOException {
            note();
            super.syncDirectory();
        }

        @Override
        public String describe(String name) {
            return super.describe(prefix + name);
        }

        @Override
        public void close() {
            // the shared disk outlives its views
        }

        private WritableFile wrap(WritableFile f) {
            return new ForwardingWritableFile(f) {
                @Override
                public void append(ByteBuffer src) throws IOException {
                    note();
                    super.append(src);
                }

                @Override
                public void writeAt(long position, ByteBuffer src) throws IOException {
                    note();
                    super.writeAt(position, src);
                }

                @Override
                public void force() throws IOException {
                    note();
                    super.force();
                }

                @Override
                public String name() {
                    return super.name().substring(prefix.length());
                }
            };
        }
    }
}
