package dev.storagelab.workbench.arena;

import dev.storagelab.kv.Bytes;
import dev.storagelab.wal.SyncMode;
import dev.storagelab.workbench.engines.Engines;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * An engine the arena runs: one of the course's ({@link ArenaEngine}) or a production peer this
 * build has ({@link ArenaPeer}, under the Maven profile {@code peers}). The peers that cannot be
 * held to the arena's terms are refused by name, with the term they cannot meet
 * ({@link #NOT_COMPARABLE}).
 */
interface ArenaEntrant {

    /** The name on the command line. */
    String id();

    /** The smallest budget it opens with. */
    long minBudget();

    /** Whether it is one of the course's engines (the crossover map compares the hybrid with the others of these). */
    boolean course();

    /**
     * Opens it on {@code storage} (a peer: on its directory) with {@code budget} bytes of memory and
     * the log's {@code sync} mode; {@code entryBytes} is the workload's mean key and value size.
     */
    ArenaOpened open(
            DeviceStorage storage, long budget, SyncMode sync, int entryBytes, long dataBytes, List<Bytes> ranges)
            throws IOException;

    /** Checks that {@code budget} is at least {@link #minBudget()}; the message names the fix. */
    default void checkBudget(long budget) {
        if (budget < minBudget()) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "--memory %s is too small for %s to open: it needs at least %s (give --memory %dk or more)",
                    Arena.size(budget),
                    id(),
                    Arena.size(minBudget()),
                    (minBudget() + 1023) / 1024));
        }
    }

    /** The peers held to the arena's terms: RocksDB, when this build has it. */
    List<String> HELD_PEERS = List.of("rocksdb");

    /** The command that builds the workbench with the production peers (the README's). */
    String PEERS_BUILD = "mvn -Ppeers -pl workbench -am package -DskipTests";

    /**
     * The production peers the arena refuses, and the term each cannot meet: none of them can be
     * held to the same memory, log and page cache as the others.
     */
    Map<String, String> NOT_COMPARABLE = notComparable();

    private static Map<String, String> notComparable() {
        String leveldb =
                "the iq80 port has no block cache (it never reads Options.cacheSize) and reads its tables through"
                        + " mmap, so the page cache is its only cache: it can neither take a share of --memory nor read past the page"
                        + " cache (it has no direct I/O)";
        String h2 = "H2's MVStore has no write-ahead log (a write is durable only when a commit writes a new chunk of"
                + " copy-on-write pages, so the log's sync modes have nothing to force) and no direct I/O (its file is read"
                + " through the page cache)";
        Map<String, String> m = new LinkedHashMap<>();
        m.put("leveldb", leveldb);
        m.put("h2", h2);
        m.put("h2-pool", h2);
        m.put(
                "rocksdb-lsmopts",
                "it is RocksDB with lab-05's fixed sizes, and the arena sizes RocksDB's memtables and block"
                        + " cache from --memory itself: use --engines rocksdb");
        return Map.copyOf(m);
    }

    /**
     * The engine named {@code id}: a course engine, or a peer this build has.
     *
     * @throws IllegalArgumentException in one line: for a peer the arena cannot hold to its terms,
     *                                  the term; for a peer this build lacks, the command that
     *                                  builds it; otherwise the names there are
     */
    static ArenaEntrant byId(String id) {
        for (ArenaEngine e : ArenaEngine.values()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        String reason = NOT_COMPARABLE.get(id);
        if (reason != null) {
            throw new IllegalArgumentException(id + " cannot be held to the arena's terms: " + reason
                    + (id.equals("rocksdb-lsmopts") ? "" : "; compare it with ./storagelab workload --engine " + id));
        }
        for (ArenaPeer p : peers()) {
            if (p.id().equals(id)) {
                return new Peer(p);
            }
        }
        if (HELD_PEERS.contains(id)) {
            throw new IllegalArgumentException(
                    id + " is a production peer, and this build of the workbench does not have it:"
                            + " build it with the Maven profile peers (" + PEERS_BUILD + "), then run the arena again");
        }
        List<String> names = new ArrayList<>();
        for (ArenaEngine e : ArenaEngine.values()) {
            names.add(e.id());
        }
        peers().forEach(p -> names.add(p.id()));
        throw new IllegalArgumentException("no arena engine named '" + id + "'; use --engines with some of " + names);
    }

    /**
     * The peers registered with {@link ServiceLoader}. One whose class or library is missing is left
     * out, as {@link Engines#all()} leaves it out: a default build after a {@code -Ppeers} build
     * still finds the registration in {@code target/classes}, but not RocksDB.
     */
    static List<ArenaPeer> peers() {
        List<ArenaPeer> all = new ArrayList<>();
        Iterator<ArenaPeer> it = ServiceLoader.load(ArenaPeer.class).iterator();
        for (int failures = 0; failures < 100; ) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                all.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                failures++;
            }
        }
        return all;
    }

    /** A peer in the arena: it opens on the arena's directory and counts its own bytes. */
    record Peer(ArenaPeer peer) implements ArenaEntrant {
        @Override
        public String id() {
            return peer.id();
        }

        @Override
        public long minBudget() {
            return peer.minBudget();
        }

        @Override
        public boolean course() {
            return false;
        }

        @Override
        public ArenaOpened open(
                DeviceStorage storage, long budget, SyncMode sync, int entryBytes, long dataBytes, List<Bytes> ranges)
                throws IOException {
            checkBudget(budget);
            return peer.open(
                    new ArenaPeer.Terms(storage.directory(), budget, sync, storage.direct(), entryBytes, dataBytes));
        }
    }
}
