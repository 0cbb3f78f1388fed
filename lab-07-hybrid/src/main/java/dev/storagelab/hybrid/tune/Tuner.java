package dev.storagelab.hybrid.tune;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.base.Ticker;
import dev.storagelab.hybrid.HybridStore;
import dev.storagelab.hybrid.cache.WriteBackCache;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction;
import dev.storagelab.hybrid.compaction.AdaptiveCompaction.Style;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tunes a running {@link HybridStore} to its workload, one interval at a time: the {@link Monitor}
 * samples the interval; {@link #wanted} says what each {@link Knob} should be for a workload like
 * the interval's; a {@link Damper} per knob decides whether and how far the knob moves; the knobs
 * that moved are applied to the store:
 * <ul>
 *   <li>{@link Knob#CACHE_SHARE} and {@link Knob#DIRTY_SHARE}: the write-back cache's capacity
 *       ({@code share * cacheBudget} entries) and dirty limit ({@code dirtyShare * capacity})
 *       ({@link WriteBackCache#resize});</li>
 *   <li>{@link Knob#HYSTERESIS}: the router's margin ({@link dev.storagelab.hybrid.Router#setHysteresis});</li>
 *   <li>{@link Knob#CONSIDER_LOG2}: the router's sampling, {@code 2^round(x)}
 *       ({@link HybridStore#setConsiderEvery}).</li>
 * </ul>
 * With {@link Config#tuneCompaction()} and an {@link AdaptiveCompaction} in the store, each key
 * range's compaction style is a discrete knob too: the tuner pins every range to its style at
 * start ({@link AdaptiveCompaction#pin}) and afterwards switches a range only when its
 * classification has wanted the same other style for {@link Damping#dwell()} consecutive
 * intervals, and not within {@link Damping#cooldown()} intervals of its last switch: the dwell of
 * T8 counted in intervals of time instead of events, so a burst of events cannot flip a range.
 *
 * <p>Not thread-safe: one thread calls {@link #tick()} (or {@link #maybeTick()}); the store and the
 * monitor's {@code record*} can be used from any thread meanwhile.
 */
public final class Tuner {

    /**
     * The tuner's settings.
     *
     * @param cacheBudget    the memory, in cache entries, that {@link Knob#CACHE_SHARE} shares out
     * @param interval       how long an interval is on the store's clock ({@link #maybeTick()})
     * @param damping        every knob's damping
     * @param tuneCompaction whether the compaction styles per range are tuned (pinned) too
     */
    public record Config(int cacheBudget, Duration interval, Damping damping, boolean tuneCompaction) {

        public Config {
            checkArgument(cacheBudget >= 1, "cacheBudget must be at least 1 entry: %s", cacheBudget);
            checkArgument(
                    interval != null && !interval.isNegative() && !interval.isZero(),
                    "interval must be positive: %s",
                    interval);
            Objects.requireNonNull(damping, "damping");
        }

        /** A budget of {@code cacheBudget} entries, intervals of one second, {@link Damping#defaults()}, compaction tuned. */
        public static Config of(int cacheBudget) {
            return new Config(cacheBudget, Duration.ofSeconds(1), Damping.defaults(), true);
        }

        public Config withDamping(Damping d) {
            return new Config(cacheBudget, interval, d, tuneCompaction);
        }

        public Config withInterval(Duration d) {
            return new Config(cacheBudget, d, damping, tuneCompaction);
        }
    }

    /**
     * One interval as the tuner saw it: the sample, the knobs' values after it (what the store runs
     * with in the next interval), what the tuner wanted, and the ranges' compaction styles after it
     * (empty without adaptive compaction).
     */
    public record Interval(Sample sample, Map<Knob, Double> knobs, Map<Knob, Double> wanted, List<Style> styles) {}

    /** A range's compaction style as a discrete knob: the dwell and cooldown of {@link Damping}. */
    private static final class StyleState {
        Style pending;
        int agreeing;
        int cooldownLeft;
    }

    private final HybridStore store;
    private final Config config;
    private final Monitor monitor;
    private final Ticker ticker;
    private final Map<Knob, Damper> dampers = new EnumMap<>(Knob.class);
    private final Map<Knob, Double> knobs = new EnumMap<>(Knob.class);
    private final AdaptiveCompaction compaction;
    private final StyleState[] styleStates;
    private final List<Interval> history = new ArrayList<>();
    private long styleChanges;
    private long lastTickNanos;

    /**
     * A tuner of {@code store}, sampled by {@code monitor}. The knobs start at the store's settings
     * now, each clamped to its bounds (and applied, if clamping changed one); with compaction tuned,
     * every range is pinned to the style it has.
     */
    public Tuner(HybridStore store, Monitor monitor, Config config) throws IOException {
        this.store = Objects.requireNonNull(store, "store");
        this.monitor = Objects.requireNonNull(monitor, "monitor");
        this.config = Objects.requireNonNull(config, "config");
        this.ticker = store.options().ticker();
        this.lastTickNanos = ticker.read();
        for (Knob k : Knob.values()) {
            dampers.put(k, new Damper(k, config.damping()));
        }
        WriteBackCache cache = store.cache();
        double cacheShare = cache == null ? Knob.CACHE_SHARE.max() : (double) cache.capacity() / config.cacheBudget();
        double dirtyShare = cache == null ? Knob.DIRTY_SHARE.min() : (double) cache.maxDirty() / cache.capacity();
        knobs.put(Knob.CACHE_SHARE, Knob.CACHE_SHARE.clamp(cacheShare));
        knobs.put(Knob.DIRTY_SHARE, Knob.DIRTY_SHARE.clamp(dirtyShare));
        knobs.put(Knob.HYSTERESIS, Knob.HYSTERESIS.clamp(store.router().hysteresis()));
        knobs.put(Knob.CONSIDER_LOG2, Knob.CONSIDER_LOG2.clamp(Math.log(store.considerEvery()) / Math.log(2)));
        apply(java.util.EnumSet.allOf(Knob.class));
        this.compaction = config.tuneCompaction() ? store.adaptiveCompaction() : null;
        this.styleStates = new StyleState[compaction == null ? 0 : compaction.rangeCount()];
        for (int r = 0; r < styleStates.length; r++) {
            styleStates[r] = new StyleState();
            compaction.pin(r, compaction.styleOf(r));
        }
    }

    /**
     * What each knob should be for a workload like {@code sample}'s, given the knobs' values now
     * ({@code current}): a value for every {@link Knob}, within its bounds. With no operation in the
     * interval, {@code current} itself (no evidence). Otherwise, with {@code r} the interval's
     * {@link Sample#readShare()} and {@code w = 1 - r}, each knob {@link Knob#lerp} of:
     * <ul>
     *   <li>{@link Knob#CACHE_SHARE}: {@code r}. Reads are what a cache serves; the memory a
     *       write-heavy workload does not need for reads goes back to the engines' write
     *       buffers.</li>
     *   <li>{@link Knob#DIRTY_SHARE}: {@code w}. More dirty entries before a flush: larger sorted
     *       batches, more rewrites of a key coalesced into one.</li>
     *   <li>{@link Knob#HYSTERESIS}: {@code max(w, sample.deferredShare())}. A move is a read and a
     *       write; under writes it pays back less, and when the token budget defers many moves the
     *       router asks for more than the store can carry.</li>
     *   <li>{@link Knob#CONSIDER_LOG2}: {@code w}. Asking the router after every write costs a tenth
     *       of a write's CPU; a write-heavy workload samples, a read-heavy one asks every time.</li>
     * </ul>
     * A pure function: no field of the tuner is read or changed.
     */
    public static Map<Knob, Double> wanted(Sample sample, Map<Knob, Double> current) {
        Objects.requireNonNull(sample, "sample");
        Objects.requireNonNull(current, "current");
        // BEGIN SOLUTION lab-07 T10
        Map<Knob, Double> out = new EnumMap<>(Knob.class);
        if (sample.operations() == 0) {
            for (Knob k : Knob.values()) {
                out.put(k, current.get(k));
            }
            return out;
        }
        double r = sample.readShare();
        double w = 1 - r;
        out.put(Knob.CACHE_SHARE, Knob.CACHE_SHARE.lerp(r));
        out.put(Knob.DIRTY_SHARE, Knob.DIRTY_SHARE.lerp(w));
        out.put(Knob.HYSTERESIS, Knob.HYSTERESIS.lerp(Math.max(w, sample.deferredShare())));
        out.put(Knob.CONSIDER_LOG2, Knob.CONSIDER_LOG2.lerp(w));
        return out;
        // END SOLUTION
    }

    /** {@link #tick()} if an interval has passed on the store's clock since the last tick; else null. */
    public Interval maybeTick() throws IOException {
        long now = ticker.read();
        if (now - lastTickNanos < config.interval().toNanos()) {
            return null;
        }
        return tick();
    }

    /**
     * Ends an interval now: samples it, asks {@link #wanted}, steps each knob's damper, applies the
     * knobs that changed, steps the compaction styles, and records the {@link Interval}.
     */
    public Interval tick() throws IOException {
        lastTickNanos = ticker.read();
        Sample sample = monitor.sample();
        Map<Knob, Double> wanted = wanted(sample, Collections.unmodifiableMap(new EnumMap<>(knobs)));
        java.util.EnumSet<Knob> changed = java.util.EnumSet.noneOf(Knob.class);
        for (Knob k : Knob.values()) {
            Double w = Objects.requireNonNull(wanted.get(k), () -> "wanted() gave no value for " + k);
            double before = knobs.get(k);
            double after = dampers.get(k).step(before, w);
            if (after != before) {
                knobs.put(k, after);
                changed.add(k);
            }
        }
        apply(changed);
        stepStyles();
        Interval interval = new Interval(
                sample,
                Collections.unmodifiableMap(new EnumMap<>(knobs)),
                Collections.unmodifiableMap(new EnumMap<>(wanted)),
                styles());
        history.add(interval);
        return interval;
    }

    /** Sets the store's settings from the knobs in {@code changed}. */
    private void apply(java.util.Set<Knob> changed) throws IOException {
        WriteBackCache cache = store.cache();
        if (cache != null && (changed.contains(Knob.CACHE_SHARE) || changed.contains(Knob.DIRTY_SHARE))) {
            int capacity = cacheCapacity();
            cache.resize(capacity, maxDirty(capacity));
        }
        if (changed.contains(Knob.HYSTERESIS)) {
            store.router().setHysteresis(knobs.get(Knob.HYSTERESIS));
        }
        if (changed.contains(Knob.CONSIDER_LOG2)) {
            store.setConsiderEvery(considerEvery());
        }
    }

    /** The cache capacity the knobs say: {@code CACHE_SHARE * cacheBudget}, at least 1. */
    public int cacheCapacity() {
        return (int) Math.max(1, Math.round(knobs.get(Knob.CACHE_SHARE) * config.cacheBudget()));
    }

    private int maxDirty(int capacity) {
        return (int) Math.max(1, Math.round(knobs.get(Knob.DIRTY_SHARE) * capacity));
    }

    /** The router's sampling the knobs say: {@code 2^round(CONSIDER_LOG2)}. */
    public int considerEvery() {
        return 1 << (int) Math.round(knobs.get(Knob.CONSIDER_LOG2));
    }

    /** Each range's style: its classification's wish, held by the dwell and the cooldown. */
    private void stepStyles() {
        for (int r = 0; r < styleStates.length; r++) {
            StyleState st = styleStates[r];
            Style current = compaction.styleOf(r);
            AdaptiveCompaction.RangeStats s = compaction.stats(r);
            Style wish = AdaptiveCompaction.wanted(
                    s.reads(), s.writes(), s.sequentialWrites(), s.keyOrderedWrites(), current, compaction.settings());
            if (st.cooldownLeft > 0) {
                st.cooldownLeft--;
                st.pending = null;
                st.agreeing = 0;
                continue;
            }
            if (wish == current) {
                st.pending = null;
                st.agreeing = 0;
                continue;
            }
            st.agreeing = wish == st.pending ? st.agreeing + 1 : 1;
            st.pending = wish;
            if (st.agreeing >= config.damping().dwell()) {
                compaction.pin(r, wish);
                styleChanges++;
                st.pending = null;
                st.agreeing = 0;
                st.cooldownLeft = config.damping().cooldown();
            }
        }
    }

    private List<Style> styles() {
        List<Style> out = new ArrayList<>(styleStates.length);
        for (int r = 0; r < styleStates.length; r++) {
            out.add(compaction.styleOf(r));
        }
        return Collections.unmodifiableList(out);
    }

    /** The knobs' values now. */
    public Map<Knob, Double> knobs() {
        return Collections.unmodifiableMap(new EnumMap<>(knobs));
    }

    /** The damper of {@code knob} (its changes and reversals). */
    public Damper damper(Knob knob) {
        return dampers.get(knob);
    }

    /** Compaction style switches the tuner made. */
    public long styleChanges() {
        return styleChanges;
    }

    /** Every interval so far, oldest first. */
    public List<Interval> history() {
        return Collections.unmodifiableList(history);
    }

    public Monitor monitor() {
        return monitor;
    }

    public Config config() {
        return config;
    }

    @Override
    public String toString() {
        return "Tuner{" + knobs + ", " + history.size() + " intervals}";
    }
}
