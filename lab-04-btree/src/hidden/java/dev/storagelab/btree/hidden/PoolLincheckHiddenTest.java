package dev.storagelab.btree.hidden;

import static org.jetbrains.kotlinx.lincheck.strategy.managed.ManagedStrategyGuaranteeKt.forClasses;

import dev.storagelab.btree.BufferPool;
import dev.storagelab.btree.BufferPool.Frame;
import dev.storagelab.btree.Internals;
import dev.storagelab.btree.LruReplacer;
import dev.storagelab.btree.PageFormat;
import dev.storagelab.io.FaultInjectingStorage;
import dev.storagelab.lab.Graded;
import dev.storagelab.testkit.LincheckSupport;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jetbrains.kotlinx.lincheck.Actor;
import org.jetbrains.kotlinx.lincheck.annotations.Operation;
import org.jetbrains.kotlinx.lincheck.annotations.Param;
import org.jetbrains.kotlinx.lincheck.annotations.Validate;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.paramgen.IntGen;
import org.jetbrains.kotlinx.lincheck.strategy.managed.modelchecking.ModelCheckingOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden model-checking test of lab-04 T12 (bonus), the lock-free pool's hit path, which takes no lock: two threads fetch and
 * unpin three pages through a pool of two frames, so that nearly every fetch evicts, and Lincheck's
 * model checker explores the interleavings (a thread switch at every shared-memory access, CAS and
 * lock). Each page holds its own number as a stamp; a fetch must return a frame that holds the page
 * asked for, whatever the other thread did meanwhile, and once both threads are done no frame may
 * still be pinned. It catches what the stress tests can hit only by chance:
 * <ul>
 *   <li>a hit that pins the frame it looked up without checking, after the pin, that the frame
 *       still holds its page (it may have been evicted and reused between the look-up and the
 *       pin): the fetch returns another page;</li>
 *   <li>a victim claimed by a check and a plain write instead of a compare-and-set from 0 pins: a
 *       hit pins the frame between the two, and the eviction gives it another page under the
 *       hit's feet (the same frame handed out twice);</li>
 *   <li>a pin count raised or lowered by a read and a write instead of a compare-and-set: two
 *       threads' pins or unpins count as one, and a frame stays pinned, or is evicted while
 *       pinned.</li>
 * </ul>
 *
 * <p>Deterministic: Lincheck 2.x draws its scenarios from a fixed seed, and the counts of scenarios
 * and explored interleavings below are fixed.
 */
@Tag("hidden")
@Param(name = "page", gen = IntGen.class, conf = "1:3")
public class PoolLincheckHiddenTest {

    private static final int PAGE = 512;
    private static final int STAMP_AT = 200;
    private static final int PAGES = 3;

    private static final String FILE = "lincheck.pages";
    /**
     * The page file every scenario starts from: the pages stamped and checkpointed, built once, so
     * that each of the model checker's runs only plants it and opens a pool over it.
     */
    private static final byte[] TEMPLATE;

    private static final long[] IDS = new long[PAGES + 1];

    static {
        try {
            FaultInjectingStorage storage = new FaultInjectingStorage();
            BufferPool p = Internals.newLockFreePool(storage, FILE, PAGE, 2, new LruReplacer(2));
            for (int page = 1; page <= PAGES; page++) {
                Frame f = p.create(PageFormat.TYPE_LEAF);
                ByteBuffer.wrap(f.data()).putInt(STAMP_AT, page);
                IDS[page] = f.pageId();
                p.unpin(f, true);
            }
            Internals.checkpoint(p);
            TEMPLATE = storage.contents(FILE);
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Out of Lincheck's walk of this object, which fails on the pool's records. */
    private final Supplier<BufferPool> pool;

    private final long[] ids = IDS;

    public PoolLincheckHiddenTest() throws IOException {
        LincheckSupport.instrument(Internals.lockFreePoolClasses());
        LincheckSupport.instrument(LruReplacer.class);
        FaultInjectingStorage storage = new FaultInjectingStorage();
        storage.plant(FILE, TEMPLATE.clone());
        pool = LincheckSupport.unwalked(Internals.openLockFreePool(storage, FILE, PAGE, 2, new LruReplacer(2)));
    }

    /** Fetches page {@code page} and returns the stamp its frame holds: the page's own number if the frame holds it. */
    @Operation
    public int read(@Param(name = "page") int page) throws IOException {
        Frame f = pool.get().fetch(ids[page]);
        try {
            int stamp = ByteBuffer.wrap(f.data()).getInt(STAMP_AT);
            return f.pageId() == ids[page] ? stamp : -stamp;
        } finally {
            pool.get().unpin(f, false);
        }
    }

    /** Once both threads are done, no pin is left behind, and every page is still there. */
    @Validate
    public void noPinLeftAndEveryPageIntact() throws IOException {
        int pinned = pool.get().pinnedFrames();
        if (pinned != 0) {
            throw new IllegalStateException(pinned + " frames still pinned after every fetch was unpinned: "
                    + "a pin or an unpin was lost (a pin count changed by a read and a write, not a CAS)");
        }
        for (int page = 1; page <= PAGES; page++) {
            int stamp = read(page);
            if (stamp != page) {
                throw new IllegalStateException("page " + page + " reads back stamp " + stamp);
            }
        }
    }

    @Test
    @Graded(
            task = "T12",
            points = 1,
            concept =
                    "lock-free buffer pool (bonus) hands a hit a frame that an eviction takes at the same time (a hit "
                            + "without the re-check after its pin, or a victim claimed without a CAS of its pin count from 0)")
    void aMissNeverTakesTheFrameOfAHitOnItsVictim() throws NoSuchMethodException {
        // A miss that evicts page 2's frame (the least recently used) while a hit on page 2 pins it.
        check(scenario(List.of(2, 1), List.of(List.of(3), List.of(2))));
    }

    @Test
    @Graded(
            task = "T12",
            points = 1,
            concept = "lock-free buffer pool (bonus) loses a pin or an unpin when two threads fetch one page at once "
                    + "(a pin count changed by a read and a write instead of a CAS)")
    void twoHitsOnOnePageLoseNoPin() throws NoSuchMethodException {
        // Two hits on one page at once, then a miss: pins and unpins of one frame side by side.
        check(scenario(List.of(1), List.of(List.of(1, 3), List.of(1))));
    }

    /** Explores {@code scenario}'s interleavings (300 of them), one thread switch point at a time. */
    private static void check(ExecutionScenario scenario) {
        ModelCheckingOptions options = new ModelCheckingOptions()
                .iterations(0) // only the scenario given, explored deeply
                .invocationsPerIteration(300)
                .addCustomScenario(scenario)
                // Each call into the storage and the page file is one step: the interleavings explored
                // are the pool's own, between its look-ups, pins, claims and lock.
                .addGuarantee(forClasses(name -> name.startsWith("dev.storagelab.io."))
                        .allMethods()
                        .treatAsAtomic())
                .addGuarantee(forClasses("dev.storagelab.btree.PageFile", "dev.storagelab.btree.PageTable")
                        .allMethods()
                        .treatAsAtomic())
                // The replacer and its queue of accesses: one step each, so that the steps explored
                // are the pins, claims and checks themselves.
                .addGuarantee(forClasses("dev.storagelab.btree.AccessQueue", LruReplacer.class.getName())
                        .allMethods()
                        .treatAsAtomic())
                .sequentialSpecification(Sequential.class);
        // Lincheck gives up on an invocation that runs past 10 s as hung; its first invocations
        // instrument JDK classes as the pool first uses them, which on a loaded machine takes longer.
        options.invocationTimeout$lincheck(60_000);
        LincheckSupport.check(PoolLincheckHiddenTest.class, options);
    }

    /** A scenario of {@link #read}s: {@code before} in one thread, then {@code threads} in parallel, then the validation. */
    private static ExecutionScenario scenario(List<Integer> before, List<List<Integer>> threads)
            throws NoSuchMethodException {
        Method read = PoolLincheckHiddenTest.class.getMethod("read", int.class);
        Method validate = PoolLincheckHiddenTest.class.getMethod("noPinLeftAndEveryPageIntact");
        List<Actor> init = new ArrayList<>();
        for (int page : before) {
            init.add(new Actor(read, List.of(page)));
        }
        List<List<Actor>> parallel = new ArrayList<>();
        for (List<Integer> pages : threads) {
            List<Actor> thread = new ArrayList<>();
            for (int page : pages) {
                thread.add(new Actor(read, List.of(page)));
            }
            parallel.add(thread);
        }
        return new ExecutionScenario(init, parallel, List.of(), new Actor(validate, List.of()));
    }

    /** The sequential specification: every page holds its own number. */
    public static final class Sequential {
        public int read(int page) {
            return page;
        }
    }
}
