package dev.storagelab.sortedlog.hidden;

import dev.storagelab.io.ReadableFile;
import dev.storagelab.io.Storage;
import dev.storagelab.io.WritableFile;
import java.io.IOException;
import java.util.List;

/** A {@link Storage} that passes every call to another; tests override the calls they meddle with. */
abstract class ForwardingStorage implements Storage {

    protected final Storage inner;

    ForwardingStorage(Storage inner) {
        this.inner = inner;
    }

    @Override
    public WritableFile create(String name) throws IOException {
        return inner.create(name);
    }

    @Override
    public WritableFile openAppend(String name) throws IOException {
        return inner.openAppend(name);
    }

    @Override
    public ReadableFile openRead(String name) throws IOException {
        return inner.openRead(name);
    }

    @Override
    public boolean exists(String name) throws IOException {
        return inner.exists(name);
    }

    @Override
    public long size(String name) throws IOException {
        return inner.size(name);
    }

    @Override
    public List<String> list() throws IOException {
        return inner.list();
    }

    @Override
    public void rename(String from, String to) throws IOException {
        inner.rename(from, to);
    }

    @Override
    public void delete(String name) throws IOException {
        inner.delete(name);
    }

    @Override
    public void truncate(String name, long size) throws IOException {
        inner.truncate(name, size);
    }

    @Override
    public void syncDirectory() throws IOException {
        inner.syncDirectory();
    }

    @Override
    public String describe(String name) {
        return inner.describe(name);
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }
}
