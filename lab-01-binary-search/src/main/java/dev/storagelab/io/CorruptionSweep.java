package dev.storagelab.io;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.CorruptionException;
import dev.storagelab.kv.KeyValueStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Damages a store's files one byte at a time and opens the store on each damaged copy, to check
 * the rule every engine's open keeps: <b>an open either succeeds, with nothing acknowledged lost,
 * or fails with a clear error and changes nothing</b>. A failed open that cut a log, deleted a
 * leftover or rewrote a manifest on its way to the error would leave an operator unable to inspect
 * or salvage what it refused.
 *
 * <p>The sweep takes an image of the files (name to bytes), and for each file and each chosen
 * offset plants the image in a fresh {@link FaultInjectingStorage} with that byte inverted, then
 * calls the test's {@link Opener}. If the opener returns, the open succeeded and the opener has
 * checked the data. If it throws an {@link IOException} (a {@code CorruptionException} among them)
 * or an {@link IllegalArgumentException} with a message, the open was refused, and the sweep
 * checks that the directory holds exactly the damaged image: the same names, the same bytes.
 * Anything else (a refusal that changed a file, an error without a message, a
 * NullPointerException from deep inside a decoder) is an {@link AssertionError} naming the file,
 * the offset and what went wrong.
 */
public final class CorruptionSweep {

    /** Opens the store over {@code damaged}, checks every acknowledged write, closes it. */
    @FunctionalInterface
    public interface Opener {
        void openAndCheck(FaultInjectingStorage damaged, Damage damage) throws IOException;
    }

    /** The byte inverted: which file, at which offset. */
    public record Damage(String file, long offset) {
        @Override
        public String toString() {
            return file + " @ " + offset;
        }
    }

    /**
     * What the sweep saw.
     *
     * @param opened  damaged copies the store opened (and the opener checked)
     * @param refused damaged copies the store refused to open, leaving them as they were
     */
    public record Result(int opened, int refused) {}

    private CorruptionSweep() {}

    /** Every file of {@code storage} as a reader sees it now. */
    public static Map<String, byte[]> image(FaultInjectingStorage storage) throws IOException {
        Map<String, byte[]> image = new TreeMap<>();
        for (String name : storage.list()) {
            image.put(name, storage.contents(name));
        }
        return image;
    }

    /**
     * Sweeps every file of {@code image} at up to {@code offsetsPerFile} offsets (every offset of a
     * small file; of a larger one the first and last quarter of the budget and the rest spread
     * evenly between, so that headers, footers and the records between them are all hit).
     */
    public static Result run(Map<String, byte[]> image, int offsetsPerFile, Opener opener) throws IOException {
        if (offsetsPerFile < 4) {
            throw new IllegalArgumentException("offsetsPerFile must be at least 4: " + offsetsPerFile);
        }
        int opened = 0;
        int refused = 0;
        for (Map.Entry<String, byte[]> file : image.entrySet()) {
            for (long offset : offsets(file.getValue().length, offsetsPerFile)) {
                Map<String, byte[]> damaged = new TreeMap<>(image);
                byte[] bytes = file.getValue().clone();
                bytes[(int) offset] ^= (byte) 0xFF;
                damaged.put(file.getKey(), bytes);
                FaultInjectingStorage storage = new FaultInjectingStorage();
                damaged.forEach((name, content) -> storage.plant(name, content.clone()));
                Damage where = new Damage(file.getKey(), offset);
                try {
                    opener.openAndCheck(storage, where);
                    opened++;
                } catch (IOException | IllegalArgumentException e) {
                    if (e.getMessage() == null || e.getMessage().isBlank()) {
                        throw new AssertionError("with " + where + " inverted the open failed without saying why", e);
                    }
                    String changed = changes(damaged, storage);
                    if (changed != null) {
                        throw new AssertionError(
                                "with " + where + " inverted the open failed (" + e.getMessage()
                                        + ") but first changed the files: " + changed,
                                e);
                    }
                    refused++;
                } catch (RuntimeException e) {
                    throw new AssertionError(
                            "with " + where + " inverted the open failed with " + e
                                    + " instead of an error that names the damage",
                            e);
                }
            }
        }
        return new Result(opened, refused);
    }

    /**
     * Checks, after a successful open, that every acknowledged write reads back from {@code store}:
     * its value, or a {@link CorruptionException} when it is read (damage found there and reported,
     * never returned as data). A key {@code mayBeAbsent} accepts may read as absent instead (the
     * last record of a log cut as a torn tail, which the open reported).
     *
     * @throws AssertionError naming the damage and the key if a write reads back wrong
     */
    public static void checkAcknowledged(
            KeyValueStore store, Map<Bytes, Bytes> acknowledged, Damage damage, Predicate<Bytes> mayBeAbsent)
            throws IOException {
        for (Map.Entry<Bytes, Bytes> e : acknowledged.entrySet()) {
            Optional<Bytes> read;
            try {
                read = store.get(e.getKey());
            } catch (CorruptionException reported) {
                continue;
            }
            if (!read.equals(Optional.of(e.getValue())) && !(read.isEmpty() && mayBeAbsent.test(e.getKey()))) {
                throw new AssertionError("with " + damage + " inverted, after a successful open " + e.getKey()
                        + " reads " + read + ", not its acknowledged value " + e.getValue());
            }
        }
    }

    /** The offsets of a file of {@code size} bytes that the sweep damages, ascending. */
    static List<Long> offsets(long size, int budget) {
        TreeSet<Long> chosen = new TreeSet<>();
        if (size <= budget) {
            for (long i = 0; i < size; i++) {
                chosen.add(i);
            }
            return new ArrayList<>(chosen);
        }
        int edge = budget / 4;
        for (long i = 0; i < edge; i++) {
            chosen.add(i);
            chosen.add(size - 1 - i);
        }
        int middle = budget - 2 * edge;
        for (int i = 0; i < middle; i++) {
            chosen.add(edge + (size - 2 * edge) * i / middle);
        }
        return new ArrayList<>(chosen);
    }

    /** What differs between {@code expected} and the files of {@code storage}, or null if nothing. */
    private static String changes(Map<String, byte[]> expected, FaultInjectingStorage storage) throws IOException {
        List<String> names = storage.list();
        if (!names.equals(new ArrayList<>(expected.keySet()))) {
            return "the directory held " + expected.keySet() + " and now holds " + names;
        }
        for (String name : names) {
            byte[] now = storage.contents(name);
            byte[] before = expected.get(name);
            if (!Arrays.equals(now, before)) {
                return name + " was " + before.length + " bytes and is now " + now.length + " bytes"
                        + (now.length == before.length ? " with other contents" : "");
            }
        }
        return null;
    }
}
