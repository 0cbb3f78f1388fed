package dev.storagelab.workbench.viz;

import dev.storagelab.btree.BPlusTree;
import dev.storagelab.btree.TreeEvents;
import dev.storagelab.events.EngineEvent;
import dev.storagelab.events.EventListener;
import dev.storagelab.events.EventType;
import dev.storagelab.hybrid.HybridStats;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kvstore.KvStore;
import dev.storagelab.lsm.LsmEvents;
import dev.storagelab.lsm.LsmStore;
import dev.storagelab.sortedlog.SortedLogEvents;
import dev.storagelab.sortedlog.SortedLogStore;
import dev.storagelab.workbench.engines.Counters;
import dev.storagelab.workbench.engines.Engine;
import dev.storagelab.workbench.engines.HybridHandle;
import dev.storagelab.workbench.engines.KvHandle;
import dev.storagelab.workbench.workloads.BankWorkload;
import dev.storagelab.workbench.workloads.Workload;
import dev.storagelab.workbench.workloads.WorkloadRunner;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Connects the workbench's engines to an {@link EventListener}: which engines report events
 * (the B+tree, the LSM tree, the lab-06 stores and the hybrid), and the pictures of their state
 * the viewer starts from ({@link EventType#SNAPSHOT}): pages, frames, levels, versions, routes and
 * the counters, taken on the workload's thread between operations.
 */
public final class EventTaps {

    /** The most hot keys a routes picture lists. */
    static final int MAX_LISTED_ROUTES = 2048;

    private EventTaps() {}

    /** Whether {@code handle}'s engine reports events. */
    public static boolean reportsEvents(Engine.Handle handle) {
        return handle.store() instanceof BPlusTree
                || handle.underlying() instanceof SortedLogStore
                || handle.store() instanceof LsmStore
                || handle instanceof KvHandle
                || handle instanceof HybridHandle;
    }

    /** Sets {@code listener} on {@code handle}'s engine; throws if that engine reports no events. */
    public static void attach(Engine.Handle handle, EventListener listener) {
        if (listener != EventListener.NONE) {
            requireEvents();
        }
        if (handle.store() instanceof BPlusTree tree) {
            tree.setEventListener(listener);
        } else if (handle.underlying() instanceof SortedLogStore log) {
            log.setEventListener(listener);
        } else if (handle.store() instanceof LsmStore lsm) {
            lsm.setEventListener(listener);
        } else if (handle instanceof KvHandle kv) {
            kv.kvStore().setEventListener(listener);
        } else if (handle instanceof HybridHandle h) {
            h.hybrid().setEventListener(listener);
        } else {
            throw new IllegalArgumentException(handle.engine().id()
                    + " reports no events; record sortedlog, btree, btree-16m, lsm, lsm-tiered, kv, kv-lsm or hybrid");
        }
    }

    /** Throws unless engines report events in this JVM ({@link EventListener#EMIT}). */
    private static void requireEvents() {
        if (!EventListener.EMIT) {
            throw new IllegalArgumentException(
                    "events are switched off in this JVM (-Dstoragelab.events=off, the baseline"
                            + " of notes/figures/events_overhead.sh): run without it to record or watch a run");
        }
    }

    /** Pictures of {@code handle}'s engine now, and its counters; empty for an engine that reports no events. */
    public static List<EngineEvent> snapshots(Engine.Handle handle) throws IOException {
        List<EngineEvent> out = new ArrayList<>();
        if (handle.store() instanceof BPlusTree tree) {
            tree(tree, out);
        } else if (handle.underlying() instanceof SortedLogStore log) {
            out.add(SortedLogEvents.segments(log));
        } else if (handle.store() instanceof LsmStore lsm) {
            out.add(LsmEvents.levels(lsm));
        } else if (handle instanceof KvHandle kv) {
            Object engine = kv.engineStore();
            if (engine instanceof BPlusTree tree) {
                tree(tree, out);
            } else if (engine instanceof LsmStore lsm) {
                out.add(LsmEvents.levels(lsm));
            }
            KvStore.Stats s = kv.kvStore().stats();
            out.add(EngineEvent.of(
                    EventType.SNAPSHOT,
                    "view",
                    "mvcc",
                    "visibleTs",
                    s.visibleTs(),
                    "activeTransactions",
                    s.activeTransactions(),
                    "gcWatermark",
                    s.gcWatermark(),
                    "walRecords",
                    s.wal().records(),
                    "walBytes",
                    s.wal().bytes(),
                    "walForces",
                    s.wal().forces(),
                    "commitGroups",
                    s.wal().commitGroups()));
        } else if (handle instanceof HybridHandle h) {
            HybridStore hybrid = h.hybrid();
            tree(hybrid.tree(), out);
            out.add(LsmEvents.levels(hybrid.lsm()));
            out.add(routes(hybrid));
        } else {
            return out;
        }
        out.add(counters(handle));
        return out;
    }

    private static void tree(BPlusTree tree, List<EngineEvent> out) throws IOException {
        out.add(TreeEvents.pages(tree));
        out.add(TreeEvents.frames(tree));
    }

    private static EngineEvent routes(HybridStore hybrid) throws IOException {
        List<String> hot = new ArrayList<>();
        for (Bytes k : hybrid.routes().hotKeys()) {
            if (hot.size() == MAX_LISTED_ROUTES) {
                break;
            }
            hot.add(EngineEvent.keyText(k));
        }
        HybridStats s = hybrid.stats();
        return EngineEvent.of(
                EventType.SNAPSHOT,
                "view",
                "hybrid",
                "hotKeys",
                hot,
                "hotCount",
                s.hotKeys(),
                "queued",
                hybrid.queuedMigrations(),
                "migrations",
                s.migrations(),
                "deferred",
                s.migrationsDeferred(),
                "cacheEntries",
                s.cacheEntries(),
                "cacheHits",
                s.cacheHits(),
                "cacheMisses",
                s.cacheMisses(),
                "hotBytes",
                s.hotBytes(),
                "coldBytes",
                s.coldBytes(),
                "archiveBytes",
                s.archiveBytes(),
                "tiers",
                hybrid.tiers().report().toString());
    }

    /** The pictures a recorded run takes between its first and its last by default: one at every report of progress. */
    public static final int EVERY_PROGRESS = 100;

    /**
     * Runs {@code workload} on {@code handle} as {@link WorkloadRunner#run} does, recording what its
     * engine reports to {@code events} ({@link dev.storagelab.workbench.viz.RunFormat}): the engine's
     * pictures at the start, at each report of progress (every 1% of the operations) and at the end,
     * and the phases. {@code pictures} below {@link #EVERY_PROGRESS} takes fewer between the first
     * and the last, one each time another 1/{@code pictures} of the operations is done (0: none), for
     * a smaller file: a picture of a B+tree's buffer pool lists every frame.
     */
    public static WorkloadRunner.Result runRecorded(
            Engine.Handle handle,
            Workload workload,
            WorkloadRunner.Spec spec,
            BankWorkload.Threads threads,
            java.util.function.LongConsumer progress,
            java.nio.file.Path events,
            int pictures,
            dev.storagelab.workbench.viz.EventRecorder.Sink sink)
            throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("engine", handle.engine().id());
        header.put("workload", workload.id());
        header.put("keys", spec.keys());
        header.put("ops", spec.ops());
        header.put("valueBytes", spec.valueBytes());
        header.put("seed", spec.seed());
        requireEvents(); // the engine must report events: fail before the file is made
        attach(handle, EventListener.NONE);
        try (dev.storagelab.workbench.viz.EventRecorder recorder =
                new dev.storagelab.workbench.viz.EventRecorder(events, header, sink)) {
            attach(handle, recorder);
            try {
                recorder.phase("run");
                snapshots(handle).forEach(recorder::onEvent);
                recorder.flush();
                long[] taken = {0}; // the pictures taken between the first and the last
                WorkloadRunner.Result result = WorkloadRunner.run(handle, workload, spec, threads, n -> {
                    if (pictures >= EVERY_PROGRESS || n * pictures >= (taken[0] + 1) * spec.ops()) {
                        taken[0] = pictures == 0 ? 0 : n * pictures / spec.ops();
                        try {
                            snapshots(handle).forEach(recorder::onEvent);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        recorder.flush();
                    }
                    progress.accept(n);
                });
                snapshots(handle).forEach(recorder::onEvent);
                recorder.phase("done");
                return result;
            } finally {
                attach(handle, EventListener.NONE);
            }
        }
    }

    /** {@link #runRecorded(Engine.Handle, Workload, WorkloadRunner.Spec, BankWorkload.Threads, java.util.function.LongConsumer, java.nio.file.Path, int, dev.storagelab.workbench.viz.EventRecorder.Sink)} with the bank's default threads and every picture. */
    public static WorkloadRunner.Result runRecorded(
            Engine.Handle handle,
            Workload workload,
            WorkloadRunner.Spec spec,
            java.nio.file.Path events,
            dev.storagelab.workbench.viz.EventRecorder.Sink sink)
            throws IOException {
        return runRecorded(handle, workload, spec, BankWorkload.Threads.DEFAULT, n -> {}, events, EVERY_PROGRESS, sink);
    }

    /** The engine's counters now, with the amplification they imply. */
    static EngineEvent counters(Engine.Handle handle) throws IOException {
        Map<String, Long> c = handle.counts();
        Map<String, Object> fields = new LinkedHashMap<>(c);
        long user = c.getOrDefault(Counters.USER_BYTES_WRITTEN, 0L);
        if (user > 0) {
            fields.put(
                    Counters.WRITE_AMPLIFICATION,
                    Math.round(1000.0 * c.getOrDefault(Counters.DISK_BYTES_WRITTEN, 0L) / user) / 1000.0);
        }
        List<Object> kv = new ArrayList<>(List.of("view", "counters"));
        fields.forEach((k, v) -> {
            kv.add(k);
            kv.add(v);
        });
        return EngineEvent.of(EventType.SNAPSHOT, kv.toArray());
    }
}
