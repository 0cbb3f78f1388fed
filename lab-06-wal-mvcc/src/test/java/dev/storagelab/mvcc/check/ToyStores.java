package dev.storagelab.mvcc.check;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionalStore;
import dev.storagelab.mvcc.WriteConflictException;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * In-memory transactional stores, each with a known isolation level (or a known bug), for testing
 * the runner and the checker end to end. They are deliberately small: the point is what each one
 * lets a reader see, not speed. (The runner yields the processor between the steps of a
 * transaction, so threads interleave inside transactions even on two cores.)
 */
final class ToyStores {

    private ToyStores() {}

    /** A transaction skeleton: state, the write buffer, and the calls the runner never makes. */
    private abstract static class ToyTxn implements Transaction {
        final Map<Bytes, Optional<Bytes>> writes = new LinkedHashMap<>();
        final long startTs;
        State state = State.ACTIVE;

        ToyTxn(long startTs) {
            this.startTs = startTs;
        }

        @Override
        public long startTs() {
            return startTs;
        }

        @Override
        public State state() {
            return state;
        }

        void checkActive() {
            if (state != State.ACTIVE) {
                throw new IllegalStateException("transaction is " + state);
            }
        }

        @Override
        public void put(Bytes key, Bytes value) throws IOException {
            checkActive();
            writes.put(key, Optional.of(value));
        }

        @Override
        public void delete(Bytes key) throws IOException {
            checkActive();
            writes.put(key, Optional.empty());
        }

        @Override
        public EntryIterator scan(Bytes from, Bytes to) {
            throw new UnsupportedOperationException("the toy stores do not scan");
        }

        @Override
        public void close() {
            abort();
        }
    }

    /** Serializable by brute force: one transaction at a time, under one lock held from begin to commit or abort. */
    static final class SerialStore implements TransactionalStore {
        private final ReentrantLock lock = new ReentrantLock();
        private final Map<Bytes, Bytes> data = new HashMap<>();

        @Override
        public Transaction begin() {
            lock.lock();
            return new ToyTxn(0) {
                @Override
                public Optional<Bytes> get(Bytes key) {
                    checkActive();
                    return writes.containsKey(key) ? writes.get(key) : Optional.ofNullable(data.get(key));
                }

                @Override
                public long commit() {
                    checkActive();
                    writes.forEach((k, v) -> {
                        if (v.isPresent()) {
                            data.put(k, v.get());
                        } else {
                            data.remove(k);
                        }
                    });
                    state = State.COMMITTED;
                    lock.unlock();
                    return 0;
                }

                @Override
                public void abort() {
                    if (state == State.ACTIVE) {
                        state = State.ABORTED;
                        lock.unlock();
                    }
                }
            };
        }
    }

    /**
     * Read committed: each read sees the newest committed value at the moment it runs (plus the
     * transaction's own writes), and commit installs the writes with no conflict check, so two
     * read-modify-writes of one key can both commit and one overwrites the other.
     */
    static final class ReadCommittedStore implements TransactionalStore {
        private final Map<Bytes, Bytes> data = new ConcurrentHashMap<>();

        @Override
        public Transaction begin() {
            return new ToyTxn(0) {
                @Override
                public Optional<Bytes> get(Bytes key) {
                    checkActive();
                    return writes.containsKey(key) ? writes.get(key) : Optional.ofNullable(data.get(key));
                }

                @Override
                public long commit() {
                    checkActive();
                    synchronized (data) {
                        writes.forEach((k, v) -> {
                            if (v.isPresent()) {
                                data.put(k, v.get());
                            } else {
                                data.remove(k);
                            }
                        });
                    }
                    state = State.COMMITTED;
                    return 0;
                }

                @Override
                public void abort() {
                    if (state == State.ACTIVE) {
                        state = State.ABORTED;
                    }
                }
            };
        }
    }

    /**
     * Read uncommitted, and worse: a write goes straight into the shared map, where every other
     * transaction can read it before it commits; an abort puts back the values the transaction
     * overwrote. One commit in {@code 1/abortOneIn} fails with a conflict (and aborts), so some
     * transactions others read from never commit.
     */
    static final class DirtyStore implements TransactionalStore {
        private final Map<Bytes, Bytes> data = new HashMap<>();
        private final Random random;
        private final int abortOneIn;

        DirtyStore(long seed, int abortOneIn) {
            this.random = new Random(seed);
            this.abortOneIn = abortOneIn;
        }

        @Override
        public Transaction begin() {
            return new ToyTxn(0) {
                private final Map<Bytes, Optional<Bytes>> before = new HashMap<>();

                @Override
                public Optional<Bytes> get(Bytes key) {
                    checkActive();
                    synchronized (data) {
                        return Optional.ofNullable(data.get(key));
                    }
                }

                @Override
                public void put(Bytes key, Bytes value) {
                    checkActive();
                    synchronized (data) {
                        before.putIfAbsent(key, Optional.ofNullable(data.get(key)));
                        data.put(key, value);
                    }
                    Thread.yield();
                }

                @Override
                public long commit() {
                    checkActive();
                    boolean fail;
                    synchronized (random) {
                        fail = random.nextInt(abortOneIn) == 0;
                    }
                    if (fail) {
                        abort();
                        throw new ConflictException(
                                Bytes.of("?"), "the dirty store aborts one commit in " + abortOneIn);
                    }
                    state = State.COMMITTED;
                    return 0;
                }

                @Override
                public void abort() {
                    if (state == State.ACTIVE) {
                        state = State.ABORTED;
                        synchronized (data) {
                            before.forEach((k, v) -> {
                                if (v.isPresent()) {
                                    data.put(k, v.get());
                                } else {
                                    data.remove(k);
                                }
                            });
                        }
                    }
                }
            };
        }
    }

    /**
     * Snapshot isolation done simply: every key keeps its versions by commit timestamp; a
     * transaction reads the newest version at or before its start timestamp (plus its own writes),
     * and commits only if no key it wrote has a version newer than its start (first committer
     * wins). Write skew goes through: two transactions that each read both keys and write a
     * different one never conflict. With a {@code lag}, a transaction begins that many commits
     * behind the newest: still snapshot isolation, but no longer strong (a stale read).
     */
    static final class SnapshotStore implements TransactionalStore {
        private final Map<Bytes, NavigableMap<Long, Optional<Bytes>>> versions = new HashMap<>();
        private final int lag;
        private long clock;

        SnapshotStore() {
            this(0);
        }

        SnapshotStore(int lag) {
            this.lag = lag;
        }

        @Override
        public Transaction begin() {
            long start;
            synchronized (this) {
                start = Math.max(0, clock - lag);
            }
            return new ToyTxn(start) {
                @Override
                public Optional<Bytes> get(Bytes key) {
                    checkActive();
                    if (writes.containsKey(key)) {
                        return writes.get(key);
                    }
                    synchronized (SnapshotStore.this) {
                        NavigableMap<Long, Optional<Bytes>> v = versions.get(key);
                        Map.Entry<Long, Optional<Bytes>> e = v == null ? null : v.floorEntry(startTs);
                        return e == null ? Optional.empty() : e.getValue();
                    }
                }

                @Override
                public long commit() {
                    checkActive();
                    if (writes.isEmpty()) {
                        state = State.COMMITTED;
                        return startTs;
                    }
                    synchronized (SnapshotStore.this) {
                        for (Bytes key : writes.keySet()) {
                            NavigableMap<Long, Optional<Bytes>> v = versions.get(key);
                            if (v != null && v.lastKey() > startTs) {
                                state = State.ABORTED;
                                throw new WriteConflictException(key, startTs, v.lastKey());
                            }
                        }
                        long commitTs = ++clock;
                        writes.forEach((k, v) -> versions.computeIfAbsent(k, x -> new TreeMap<>())
                                .put(commitTs, v));
                        state = State.COMMITTED;
                        return commitTs;
                    }
                }

                @Override
                public void abort() {
                    if (state == State.ACTIVE) {
                        state = State.ABORTED;
                    }
                }
            };
        }
    }
}
