package dev.storagelab.bounds.hidden;

import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storage that counts the read handles open on each file. A deleted segment whose handle is
 * still open is a segment someone still pins: on a real disk its space is not given back until
 * the last handle closes. That is how the tests see whether a scan let go of its snapshot.
 */
final class HandleTrackingStorage extends ForwardingStorage {

    private final Map<String, AtomicInteger> openReaders = new ConcurrentHashMap<>();

    HandleTrackingStorage(Storage delegate) {
        super(delegate);
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        ReadableFile file = delegate.openRead(name);
        AtomicInteger count = openReaders.computeIfAbsent(name, n -> new AtomicInteger());
        count.incrementAndGet();
        AtomicBoolean closed = new AtomicBoolean();
        return new ReadableFile() {
            @Override
            public int read(long position, ByteBuffer dst) throws IOException {
                return file.read(position, dst);
            }

            @Override
            public long size() throws IOException {
                return file.size();
            }

            @Override
            public String name() {
                return file.name();
            }

            @Override
            public void close() throws IOException {
                if (closed.compareAndSet(false, true)) {
                    count.decrementAndGet();
                }
                file.close();
            }
        };
    }

    /** The number of open read handles per file name, for names with at least one. */
    Map<String, Integer> openHandles() {
        Map<String, Integer> open = new TreeMap<>();
        openReaders.forEach((name, count) -> {
            if (count.get() > 0) {
                open.put(name, count.get());
            }
        });
        return open;
    }
}
