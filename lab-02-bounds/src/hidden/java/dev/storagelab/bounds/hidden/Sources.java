package dev.storagelab.bounds.hidden;

import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** Iterators over test data that count what is pulled from them, and draining with a bound. */
final class Sources {

    private Sources() {}

    /** An iterator over {@code entries} that counts the entries pulled from it. */
    static final class Counting implements EntryIterator {
        private final Iterator<Entry> entries;
        private int pulled;

        Counting(List<Entry> entries) {
            this.entries = List.copyOf(entries).iterator();
        }

        @Override
        public boolean hasNext() {
            return entries.hasNext();
        }

        @Override
        public Entry next() {
            Entry e = entries.next();
            pulled++;
            return e;
        }

        @Override
        public void close() {}

        int pulled() {
            return pulled;
        }
    }

    /** One counting iterator per list, in the same order. */
    static List<Counting> counting(List<List<Entry>> lists) {
        List<Counting> out = new ArrayList<>(lists.size());
        lists.forEach(l -> out.add(new Counting(l)));
        return out;
    }

    /**
     * Everything {@code it} yields, failing if it yields more than {@code bound} entries (an
     * iterator that never ends, or repeats itself), then checks it stays exhausted.
     */
    static List<Entry> drain(EntryIterator it, int bound, String what) {
        List<Entry> out = new ArrayList<>();
        while (it.hasNext()) {
            if (out.size() >= bound) {
                throw new AssertionError(what + " yielded more than " + bound + " entries, more than exist: it repeats "
                        + "entries or never ends; first ones: " + out.subList(0, Math.min(10, out.size())));
            }
            out.add(it.next());
        }
        if (it.hasNext()) {
            throw new AssertionError(what + ": hasNext() turned true again after returning false");
        }
        try {
            Entry extra = it.next();
            throw new AssertionError(what + ": next() after the end returned " + extra
                    + " instead of throwing NoSuchElementException (the Iterator contract)");
        } catch (NoSuchElementException expected) {
            // the Iterator contract
        }
        return out;
    }
}
