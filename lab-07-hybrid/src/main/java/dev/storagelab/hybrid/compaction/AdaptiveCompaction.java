package dev.storagelab.hybrid.compaction;

import static com.google.common.base.Preconditions.checkArgument;

import dev.storagelab.kv.Bytes;
import dev.storagelab.lsm.Compaction;
import dev.storagelab.lsm.CompactionPolicy;
import dev.storagelab.lsm.InternalKey;
import dev.storagelab.lsm.LeveledCompaction;
import dev.storagelab.lsm.LsmOptions;
import dev.storagelab.lsm.TieredCompaction;
import dev.storagelab.lsm.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Adaptive compaction (lab-07 T8): one LSM tree, a compaction style per key range, chosen from how
 * the range is used and changed when that changes. The key space is cut into ranges at fixed
 * boundaries (the orders' prefix, the products', the stock's); the hybrid reports each read and
 * write of a key it keeps in the LSM ({@link #recordRead}, {@link #recordWrite}) and each scan
 * ({@link #recordScan}, a read per entry it returned); per range a
 * decaying count of reads, writes and in-order writes says which style fits ({@link #wanted}):
 * <ul>
 *   <li>appends in time (the orders, keyed by time): {@link Style#TIME_WINDOW}, written about twice;</li>
 *   <li>appends in key order whose time does not follow the key order (a load in key order of keys
 *       that carry their time after another field): {@link Style#LEVELED}, whose trivial moves
 *       write them once;</li>
 *   <li>other write-heavy use (stock updates): {@link Style#TIERED}, few rewrites, more runs;</li>
 *   <li>read-heavy use (the product catalogue): {@link Style#LEVELED}, one table per level to read.</li>
 * </ul>
 * {@link #pick} asks each range's style about the tables of that range and runs the most urgent
 * answer; output tables are cut at range boundaries, so below level 0 no table spans two ranges.
 *
 * <p>Thread-safety: {@code record*} run on request threads, {@link #pick} on the store's
 * compaction thread; a range's counters are guarded by the range, its style is read without a lock.
 */
public final class AdaptiveCompaction implements CompactionPolicy {

    /** The compaction styles a range can have. */
    public enum Style {
        /** lab-05's {@link LeveledCompaction}: read-heavy ranges. */
        LEVELED,
        /** lab-05's {@link TieredCompaction}: write-heavy ranges. */
        TIERED,
        /** {@link TimeWindowCompaction}: time-ordered appends. */
        TIME_WINDOW
    }

    /**
     * The classification's knobs.
     *
     * @param halfLife       a range's counts halve every this many of its reads and writes: how long
     *                       the past counts
     * @param minEvents      below this (decayed) count of reads and writes a range keeps its style:
     *                       too little evidence
     * @param writeHeavy     the share of writes above which a range is write-heavy
     * @param sequential     the share of writes in key order above which a write-heavy range is
     *                       time-ordered appends
     * @param margin         the dead band around both thresholds: a range crosses a threshold only
     *                       by this much past it, and goes back only by this much below it
     * @param dwell          a range keeps a new style for at least this many of its events
     * @param initial        every range's style before any evidence
     */
    public record Settings(
            double halfLife,
            double minEvents,
            double writeHeavy,
            double sequential,
            double margin,
            long dwell,
            Style initial) {

        public Settings {
            checkArgument(halfLife >= 1, "halfLife must be at least 1: %s", halfLife);
            checkArgument(minEvents >= 0 && minEvents < halfLife, "minEvents must be in [0, halfLife): %s", minEvents);
            checkArgument(writeHeavy > 0 && writeHeavy < 1, "writeHeavy must be in (0, 1): %s", writeHeavy);
            checkArgument(sequential > 0 && sequential < 1, "sequential must be in (0, 1): %s", sequential);
            checkArgument(
                    margin >= 0
                            && margin
                                    < Math.min(
                                            Math.min(writeHeavy, 1 - writeHeavy), Math.min(sequential, 1 - sequential)),
                    "margin must be below each threshold's distance to 0 and 1: %s",
                    margin);
            checkArgument(dwell >= 0, "dwell must not be negative: %s", dwell);
            Objects.requireNonNull(initial, "initial");
        }

        /** Counts halve every 1,000 events, 100 to decide, 60% writes and 80% in order, 10% band, dwell 1,000, leveled first. */
        public static Settings defaults() {
            return new Settings(1000, 100, 0.6, 0.8, 0.1, 1000, Style.LEVELED);
        }

        public Settings withHalfLife(double events) {
            return new Settings(
                    events, Math.min(minEvents, events / 2), writeHeavy, sequential, margin, dwell, initial);
        }

        public Settings withDwell(long events) {
            return new Settings(halfLife, minEvents, writeHeavy, sequential, margin, events, initial);
        }

        public Settings withInitial(Style style) {
            return new Settings(halfLife, minEvents, writeHeavy, sequential, margin, dwell, style);
        }
    }

    /**
     * A range's counters at one moment, for the shell and the notes.
     *
     * @param reads            decayed reads
     * @param writes           decayed writes
     * @param sequentialWrites decayed appends in time: writes whose key was after the key written
     *                         {@value #ORDER_LAG} writes before in the range and whose time
     *                         ({@link KeyTime}) was not before that key's
     * @param keyOrderedWrites decayed writes whose key was after the key written {@value #ORDER_LAG}
     *                         writes before in the range, whatever their time
     * @param events           reads and writes ever recorded
     * @param switches         style changes so far
     */
    public record RangeStats(
            int range,
            Bytes lo,
            Bytes hi,
            Style style,
            double reads,
            double writes,
            double sequentialWrites,
            double keyOrderedWrites,
            long events,
            long switches) {

        /** Writes over reads and writes (0 with no events). */
        public double writeShare() {
            return reads + writes == 0 ? 0 : writes / (reads + writes);
        }

        /** Appends in time over writes (0 with no writes). */
        public double sequentialShare() {
            return writes == 0 ? 0 : sequentialWrites / writes;
        }

        /** Writes in key order over writes (0 with no writes). */
        public double keyOrderShare() {
            return writes == 0 ? 0 : keyOrderedWrites / writes;
        }
    }

    /** One range's counters and style; its methods hold its lock, except the reads of {@link #style}. */
    private final class Range {
        final Bytes lo;
        final Bytes hi;
        volatile Style style;
        /** The style the tuner pinned (lab-07 T10), or null: then the classification decides. */
        volatile Style pinned;

        double reads;
        double writes;
        double sequentialWrites;
        double keyOrderedWrites;
        /** The range's last {@link #ORDER_LAG} written keys, a ring; {@code writeCount} is where the next goes. */
        final Bytes[] recentWrites = new Bytes[ORDER_LAG];
        /** The times ({@link KeyTime}) of those keys, slot for slot. */
        final long[] recentTimes = new long[ORDER_LAG];

        long writeCount;
        /** Set by a switch to {@link Style#TIERED}, cleared once the range has nothing between level 0 and the bottom. */
        volatile boolean catchUp;

        long events;
        long sinceSwitch;
        long switches;

        Range(Bytes lo, Bytes hi, Style style) {
            this.lo = lo;
            this.hi = hi;
            this.style = style;
        }

        synchronized void record(Bytes key, boolean write) {
            reads *= decay;
            writes *= decay;
            sequentialWrites *= decay;
            keyOrderedWrites *= decay;
            if (write) {
                writes++;
                int slot = (int) (writeCount++ % ORDER_LAG);
                Bytes lagged = recentWrites[slot]; // the key written ORDER_LAG writes ago
                long time = keyTime.timeOf(key.toByteArray());
                if (lagged != null && key.compareTo(lagged) > 0) {
                    keyOrderedWrites++;
                    if (time >= recentTimes[slot]) {
                        sequentialWrites++; // and in time: an append to the newest window
                    }
                }
                recentWrites[slot] = key;
                recentTimes[slot] = time;
            } else {
                reads++;
            }
            events++;
            sinceSwitch++;
            observe();
        }

        /**
         * After each event (given): classifies the range ({@link AdaptiveCompaction#wanted}) and
         * switches its style to the answer if that differs and the style has been kept for at least
         * {@link Settings#dwell} events; a switch counts in {@link #switches} and starts the dwell anew.
         */
        private void observe() {
            if (pinned != null) {
                return; // the tuner decides this range's style
            }
            Style wanted = wanted(reads, writes, sequentialWrites, keyOrderedWrites, style, settings);
            if (wanted != style && sinceSwitch >= settings.dwell()) {
                catchUp = wanted == Style.TIERED;
                style = wanted;
                sinceSwitch = 0;
                switches++;
            }
        }

        synchronized RangeStats stats(int index) {
            return new RangeStats(
                    index, lo, hi, style, reads, writes, sequentialWrites, keyOrderedWrites, events, switches);
        }
    }

    /**
     * A write is "in key order" if its key is after the key written this many writes before it in
     * its range, not only after the last one: orders from many servers arrive a little out of
     * order (a few hundred writes of jitter), and are still appends to the newest window. It is an
     * append in time if its time ({@link KeyTime}) is not before that key's either: keys loaded in
     * key order arrive in increasing order whatever their time, and a key whose time comes after
     * another field ({@code order/CUSTOMER/ORDER}) jumps back in time at every new customer.
     */
    static final int ORDER_LAG = 256;

    private final List<Bytes> boundaries;
    private final Range[] ranges;
    private final Settings settings;
    private final double decay;
    private final CompactionPolicy leveled = new LeveledCompaction();
    private final CompactionPolicy tiered = new TieredCompaction();
    private final TimeWindowCompaction timeWindow;
    private final KeyTime keyTime;

    /**
     * @param boundaries the ranges' boundaries, strictly increasing: range 0 is the keys before the
     *                   first, range i the keys in {@code [boundaries[i-1], boundaries[i])}, the
     *                   last range the keys from the last boundary on
     * @param timeWindow the policy of the ranges that are time-ordered (its {@link KeyTime} must
     *                   read their keys' time)
     */
    public AdaptiveCompaction(List<Bytes> boundaries, TimeWindowCompaction timeWindow, Settings settings) {
        this.boundaries = List.copyOf(boundaries);
        for (int i = 1; i < this.boundaries.size(); i++) {
            checkArgument(
                    this.boundaries.get(i - 1).compareTo(this.boundaries.get(i)) < 0,
                    "range boundaries must be strictly increasing: %s then %s",
                    this.boundaries.get(i - 1),
                    this.boundaries.get(i));
        }
        this.timeWindow = Objects.requireNonNull(timeWindow, "timeWindow");
        this.keyTime = timeWindow.keyTime();
        this.settings = Objects.requireNonNull(settings, "settings");
        this.decay = Math.pow(0.5, 1 / settings.halfLife());
        this.ranges = new Range[this.boundaries.size() + 1];
        for (int i = 0; i < ranges.length; i++) {
            ranges[i] = new Range(
                    i == 0 ? null : this.boundaries.get(i - 1),
                    i == this.boundaries.size() ? null : this.boundaries.get(i),
                    settings.initial());
        }
    }

    /** With {@link Settings#defaults()}. */
    public AdaptiveCompaction(List<Bytes> boundaries, TimeWindowCompaction timeWindow) {
        this(boundaries, timeWindow, Settings.defaults());
    }

    /** Records a read of {@code key} (the hybrid calls this for the keys it keeps in the LSM tree). */
    public void recordRead(Bytes key) {
        ranges[rangeOf(key)].record(key, false);
    }

    /** Records a write (a put or a delete) of {@code key}. */
    public void recordWrite(Bytes key) {
        ranges[rangeOf(key)].record(key, true);
    }

    /**
     * Records a scan that started at {@code from} and returned {@code entries} entries, as that
     * many reads of its range (at most {@link #MAX_SCAN_READS}), as the access tracker counts a
     * scan. A range that is scanned is read-heavy however few its scans: a scan has no Bloom
     * filter to skip a run, so it reads a block of every sorted run the range holds, and those
     * are what tiering multiplies.
     */
    public void recordScan(Bytes from, int entries) {
        Range r = ranges[rangeOf(from)];
        for (int i = 0; i < Math.min(entries, MAX_SCAN_READS); i++) {
            r.record(from, false);
        }
    }

    /** The most reads one scan counts as: a long scan does not wipe out its range's history. */
    public static final int MAX_SCAN_READS = 64;

    /** The range {@code key} is in: the number of boundaries at or before it. */
    public int rangeOf(Bytes key) {
        int lo = 0;
        int hi = boundaries.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (boundaries.get(mid).compareTo(key) <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int rangeOf(byte[] key) {
        return rangeOf(Bytes.wrap(key));
    }

    /** The number of ranges: one more than the boundaries. */
    public int rangeCount() {
        return ranges.length;
    }

    /** The style range {@code range} has now. */
    public Style styleOf(int range) {
        return ranges[range].style;
    }

    /**
     * Pins range {@code range} to {@code style} (the tuner's knob, lab-07 T10): the range takes the
     * style now (a change counts as a switch, and a switch to {@link Style#TIERED} owes its
     * catch-up, as after a classification) and keeps it, whatever its counters say, until
     * {@link #unpin}. The counters go on counting.
     */
    public void pin(int range, Style style) {
        Objects.requireNonNull(style, "style");
        Range r = ranges[range];
        synchronized (r) {
            r.pinned = style;
            if (r.style != style) {
                r.catchUp = style == Style.TIERED;
                r.style = style;
                r.sinceSwitch = 0;
                r.switches++;
            }
        }
    }

    /** Gives range {@code range} back to its classification (a no-op if it is not pinned). */
    public void unpin(int range) {
        Range r = ranges[range];
        synchronized (r) {
            r.pinned = null;
        }
    }

    /** The style range {@code range} is pinned to, or null if its classification decides. */
    public Style pinnedStyle(int range) {
        return ranges[range].pinned;
    }

    /** Range {@code range}'s counters now. */
    public RangeStats stats(int range) {
        return ranges[range].stats(range);
    }

    /** Every range's counters, range 0 first. */
    public List<RangeStats> stats() {
        List<RangeStats> out = new ArrayList<>();
        for (int i = 0; i < ranges.length; i++) {
            out.add(stats(i));
        }
        return out;
    }

    /**
     * The style a range with these (decayed) counts should have, given the one it has:
     * <ul>
     *   <li>with fewer than {@link Settings#minEvents} reads and writes, {@code current};</li>
     *   <li>not write-heavy: {@link Style#LEVELED}; write-heavy and in order:
     *       {@link Style#TIME_WINDOW}; write-heavy otherwise: {@link Style#TIERED}.</li>
     * </ul>
     * Write-heavy means a write share ({@code writes / (reads + writes)}) of at least
     * {@link Settings#writeHeavy}, in order a share of {@code sequentialWrites / writes} (the
     * appends in time, {@link RangeStats#sequentialWrites}) of at least
     * {@link Settings#sequential}; with hysteresis: a range that is not on a threshold's high
     * side yet needs {@link Settings#margin} more to cross it, one that is (a leveled range is not
     * write-heavy; only a time-window range is in key order) stays there until it falls
     * {@code margin} below. Between the two, a range keeps what it is.
     */
    public static Style classify(double reads, double writes, double sequentialWrites, Style current, Settings s) {
        // BEGIN SOLUTION lab-07 T8
        double total = reads + writes;
        if (total < s.minEvents()) {
            return current;
        }
        double writeShare = writes / total;
        double inOrder = writes == 0 ? 0 : sequentialWrites / writes;
        boolean wasWriteHeavy = current != Style.LEVELED;
        boolean writeHeavy = writeShare >= s.writeHeavy() + (wasWriteHeavy ? -s.margin() : s.margin());
        if (!writeHeavy) {
            return Style.LEVELED;
        }
        boolean wasInOrder = current == Style.TIME_WINDOW;
        boolean sequential = inOrder >= s.sequential() + (wasInOrder ? -s.margin() : s.margin());
        return sequential ? Style.TIME_WINDOW : Style.TIERED;
        // END SOLUTION
    }

    /**
     * The style a range with these (decayed) counts should have, given the one it has (given; what
     * a range switches to after each event, and what the tuner wishes for): {@link #classify}'s
     * answer, with {@code sequentialWrites} the appends in time; except that a range it finds
     * write-heavy but not appending in time is {@link Style#LEVELED}, not {@link Style#TIERED},
     * while its writes are in key order ({@code keyOrderedWrites / writes} at least
     * {@link Settings#sequential}, with the dead band {@link Settings#margin} on the side the range
     * is on: a leveled range stays until the share falls {@code margin} below, another needs
     * {@code margin} more). Such writes are a load in key order of keys whose time is not their
     * order: leveled compaction moves each flushed table down without rewriting it (the T8
     * handout's table: orders in order, leveled 1.06x the bytes flushed), where tiering merges every run it makes
     * and time windows over keys whose time jumps back and forth cut every table at nearly every
     * key.
     */
    public static Style wanted(
            double reads, double writes, double sequentialWrites, double keyOrderedWrites, Style current, Settings s) {
        Style classified = classify(reads, writes, sequentialWrites, current, s);
        if (classified != Style.TIERED || writes == 0) {
            return classified;
        }
        double inKeyOrder = keyOrderedWrites / writes;
        boolean appends = inKeyOrder >= s.sequential() + (current == Style.LEVELED ? -s.margin() : s.margin());
        return appends ? Style.LEVELED : Style.TIERED;
    }

    /** The lab-05 or lab-07 policy of {@code style}. */
    CompactionPolicy policyOf(Style style) {
        return switch (style) {
            case LEVELED -> leveled;
            case TIERED -> tiered;
            case TIME_WINDOW -> timeWindow;
        };
    }

    /**
     * The most urgent compaction over all ranges, or null. For each range (reading its style
     * once): the tables that meet it ({@link CompactionViews#restrict}, given); the catch-up it owes
     * after a switch to tiered ({@code catchUp}, given), or else the answer of its style's policy
     * ({@link #policyOf}) on that view; grown by {@link CompactionViews#closeOver} (given) to be
     * safe on the whole version. The most urgent answer is the one of the range with the most
     * level-0 tables (every read of the range visits each); on a tie, the first range's. With no
     * answer, {@link #relief} (given).
     */
    @Override
    public Compaction pick(Version v, LsmOptions options, InternalKey[] compactPointer) {
        // BEGIN SOLUTION lab-07 T8
        Compaction best = null;
        int bestL0 = -1;
        for (Range r : ranges) {
            Version view = CompactionViews.restrict(v, r.lo, r.hi);
            Style style = r.style;
            Compaction c = r.catchUp ? catchUp(r, view) : null;
            if (c == null) {
                c = policyOf(style).pick(view, options, compactPointer);
            }
            if (c != null && view.fileCount(0) > bestL0) {
                best = CompactionViews.closeOver(v, c);
                bestL0 = view.fileCount(0);
            }
        }
        return best != null ? best : relief(v, options, compactPointer);
        // END SOLUTION
    }

    /**
     * When no range's policy wants a compaction but level 0 holds
     * {@link LsmOptions#l0SlowdownTrigger} tables or more (given): lab-05's size-tiered pick over the
     * whole tree, which takes every level-0 table. Flushes are cut at range boundaries, so each
     * range's view sees only its own level-0 tables, each below its own trigger, while their sum
     * slows the writers and, at {@link LsmOptions#l0StopTrigger}, stops them for good: nobody
     * would ever compact.
     */
    Compaction relief(Version v, LsmOptions options, InternalKey[] compactPointer) {
        if (v.fileCount(0) < options.l0SlowdownTrigger()) {
            return null;
        }
        return CompactionViews.closeOver(v, tiered.pick(v, options, compactPointer));
    }

    /**
     * The catch-up a range owes after switching to {@link Style#TIERED} (given), or null once it is
     * paid: every table of the range above the bottom level into the bottom, once. Size-tiering
     * keeps its runs ordered by age down the levels, so it needs the levels above its oldest run
     * free; a leveled range has its data on levels 1 to 3 with nothing below, and tiering over
     * that merges everything at every step (measured: 20x the bytes flushed instead of 5x on
     * random updates). Cleared when the range has nothing between level 0 and the bottom.
     */
    private Compaction catchUp(Range r, Version view) {
        java.util.SortedMap<Integer, List<dev.storagelab.lsm.FileMeta>> inputs = new java.util.TreeMap<>();
        for (int level = 1; level < TimeWindowCompaction.BOTTOM; level++) {
            if (!view.files(level).isEmpty()) {
                inputs.put(level, view.files(level));
            }
        }
        if (inputs.isEmpty()) {
            r.catchUp = false;
            return null;
        }
        if (!view.files(0).isEmpty()) {
            inputs.put(0, view.files(0));
        }
        return new Compaction(inputs, TimeWindowCompaction.BOTTOM);
    }

    /**
     * Cuts a compaction's output at range boundaries, and inside a time-window range at window
     * boundaries too.
     */
    @Override
    public boolean cutBetween(byte[] previousUserKey, byte[] userKey) {
        int a = rangeOf(previousUserKey);
        if (a != rangeOf(userKey)) {
            return true;
        }
        return ranges[a].style == Style.TIME_WINDOW && timeWindow.cutBetween(previousUserKey, userKey);
    }

    /** The boundaries between ranges. */
    public List<Bytes> boundaries() {
        return boundaries;
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("AdaptiveCompaction(");
        for (int i = 0; i < ranges.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(i).append('=').append(ranges[i].style);
        }
        return sb.append(')').toString();
    }
}
