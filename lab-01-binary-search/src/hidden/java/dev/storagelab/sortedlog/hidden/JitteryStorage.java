package dev.storagelab.sortedlog.hidden;

import dev.storagelab.io.ForwardingStorage;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A {@link Storage} whose files give up the CPU around every write, size and force, so that
 * threads sharing a file interleave exactly where a store without the right lock races: between
 * reading the file's size and appending, and between appending and publishing the offset.
 */
final class JitteryStorage extends ForwardingStorage {

    JitteryStorage(Storage inner) {
        super(inner);
    }

    @Override
    public WritableFile create(String name) throws IOException {
        return new JitteryFile(super.create(name));
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        return new JitteryFile(super.openAppend(name));
    }

    private record JitteryFile(WritableFile file) implements WritableFile {
        @Override
        public void append(ByteBuffer src) throws IOException {
            Thread.yield();
            file.append(src);
            Thread.yield();
        }

        @Override
        public void writeAt(long position, ByteBuffer src) throws IOException {
            Thread.yield();
            file.writeAt(position, src);
            Thread.yield();
        }

        @Override
        public long size() throws IOException {
            Thread.yield();
            return file.size();
        }

        @Override
        public void force() throws IOException {
            Thread.yield();
            file.force();
            Thread.yield();
        }

        @Override
        public String name() {
            return file.name();
        }

        @Override
        public void close() throws IOException {
            file.close();
        }
    }
}
