package dev.storagelab.workbench.shell;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import dev.storagelab.workbench.engines.Engine;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ShellTest {

    @TempDir
    Path dir;

    private String session(Engine engine, Path where, String script) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Engine.Handle h = engine.open(where);
                PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            new Shell(h, out).runScript(new BufferedReader(new StringReader(script)));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void aScriptedSessionPrintsWhatEveryEngineDid(Engine engine) throws IOException {
        String out = session(engine, dir, """
                put apple red
                put banana "yellow fruit"
                put cherry dark
                get banana
                get durian
                del apple
                scan
                rscan - c
                page 1
                page 1 banana
                bogus
                """);
        assertThat(out, equalTo("""
                > put apple red
                ok
                > put banana "yellow fruit"
                ok
                > put cherry dark
                ok
                > get banana
                yellow fruit
                > get durian
                (not found)
                > del apple
                ok
                > scan
                banana = yellow fruit
                cherry = dark
                (2 entries)
                > rscan - c
                banana = yellow fruit
                (1 entries)
                > page 1
                banana = yellow fruit
                (next: page 1 banana)
                > page 1 banana
                cherry = dark
                (1 entries, end)
                > bogus
                error: unknown command 'bogus'; type help for the commands
                """));
    }

    @Test
    void diskEnginesKeepWhatWasFlushedAcrossSessions() throws IOException {
        for (Engine engine : List.of(Engine.SORTEDLOG, Engine.BTREE, Engine.LSM, Engine.KV, Engine.KV_LSM)) {
            Path where = dir.resolve(engine.id());
            session(engine, where, "put k v\nflush\n");
            assertThat(engine + " reopened", session(engine, where, "get k\n"), equalTo("> get k\nv\n"));
        }
    }

    @Test
    void statsDumpAndFlushSpeakForTheEngine() throws IOException {
        String out = session(Engine.BTREE, dir, "put a 1\nflush\nget a\nget z\nstats\ndump\ndump --dot\ncompact\n");
        assertThat(
                "stats: totals since the engine was opened, ratios over the shell's own gets",
                out,
                containsString("# counts since the engine was opened, ratios per get over this shell's 2 gets\n"
                        + "user_bytes_written = 2\n"));
        assertThat(
                "the pool still holds the leaf the checkpoint wrote",
                out,
                containsString("\npage_reads_per_get = 0.000\n"));
        assertThat(out, containsString("\ncache_hit_rate = "));
        assertThat("the gauges come last", out, containsString("# gauges now\nkeys = 1\nheight = 1\n"));
        assertThat("dump shows the B+tree", out, containsString("leaf 1: \"a\""));
        assertThat("dump --dot is Graphviz", out, containsString("digraph btree {"));
        assertThat(
                "the B+tree has nothing to compact, and says so",
                out,
                containsString("error: btree has nothing to compact"));
    }

    @Test
    void theLsmShowsItsLevelsAfterAFlushAndACompaction() throws IOException {
        String out = session(Engine.LSM, dir, "put a 1\nput b 2\nflush\nlevels\ncompact\nlevels\nget b\n");
        assertThat("after the flush, one table in level 0", out, containsString("L0: 1 tables"));
        assertThat(
                "compact moves it down: level 0 is empty after",
                out.substring(out.lastIndexOf("> levels")),
                containsString("L0: 0 tables"));
        assertThat("the table lists its key range", out, containsString("[\"a\"@"));
        assertThat(out, containsString("> get b\n2\n"));
    }

    @Test
    void statsOnAnInMemoryEngineHasNoCountsOnlyGauges() throws IOException {
        String out = session(Engine.AVL, dir, "put a 1\nstats\n");
        assertThat(out, equalTo("""
                > put a 1
                ok
                > stats
                # counts since the engine was opened, ratios per get over this shell's 0 gets
                # gauges now
                keys = 1
                height = 1
                """));
    }

    @ParameterizedTest
    @EnumSource(
            value = Engine.class,
            names = {"KV", "KV_LSM"})
    void aTransactionReadsItsSnapshotAndItsOwnWritesAndCommitsAtATimestamp(Engine engine) throws IOException {
        String out = session(engine, dir, """
                put a 1
                begin
                put b 2
                get b
                del a
                scan
                use -
                get b
                scan
                use t1
                commit
                scan
                """);
        String begun = out.substring(out.indexOf("> begin\n") + "> begin\n".length());
        long start = Long.parseLong(begun.replaceAll("(?s)^t1 began at timestamp (\\d+): .*", "$1"));
        assertThat(out, equalTo("""
                > put a 1
                ok
                > begin
                t1 began at timestamp %d: get, put, del and scan go through it until commit or abort
                > put b 2
                ok
                > get b
                2
                > del a
                ok
                > scan
                b = 2
                (1 entries)
                > use -
                no transaction is current: each command commits on its own (still open: t1; use TXN to go on with one)
                > get b
                (not found)
                > scan
                a = 1
                (1 entries)
                > use t1
                t1 is current (it reads at timestamp %d)
                > commit
                t1 committed at timestamp %d
                > scan
                b = 2
                (1 entries)
                """.formatted(start, start, start + 1)));
    }

    @ParameterizedTest
    @EnumSource(
            value = Engine.class,
            names = {"KV", "KV_LSM"})
    void theSecondOfTwoTransactionsWritingOneKeyLosesTheConflictAndNamesTheKey(Engine engine) throws IOException {
        Path where = dir.resolve(engine.id());
        String out = session(engine, where, """
                begin
                put "the key" first
                begin
                put "the key" second
                put other x
                commit t2
                use t1
                get "the key"
                commit
                get "the key"
                get other
                begin
                put other y
                abort
                get other
                """);
        assertThat(
                "the second transaction began while the first was open, and committed first",
                out,
                containsString("> commit t2\nt2 committed at timestamp "));
        assertThat("t1 still reads its own write, not t2's", out, containsString("> get \"the key\"\nfirst\n"));
        assertThat(
                "first committer wins: t1's commit is refused, naming the key",
                out,
                containsString(
                        "> commit\nconflict: t1 aborted, on key \"the key\": write-write conflict on key \"the key\""));
        assertThat(
                "t2's writes stand, t1's are gone", out, containsString("> get \"the key\"\nsecond\n> get other\nx\n"));
        assertThat(
                "an aborted transaction's write never shows",
                out,
                containsString("> abort\nt3 aborted\n> get other\nx\n"));
        assertThat("a conflict is the store's answer, not a failed command", out, not(containsString("error:")));
        assertThat(
                "after a reopen, the committed state is there",
                session(engine, where, "get \"the key\"\nget other\n"),
                equalTo("> get \"the key\"\nsecond\n> get other\nx\n"));
    }

    @Test
    void transactionCommandsNameWhatIsWrong() throws IOException {
        String out = session(Engine.KV, dir, "commit\nbegin\nuse t9\nabort t9\nget a\ncommit\nbegin\nput a 1\n");
        assertThat(out, containsString("> commit\nerror: no transaction is current (begin starts one)\n"));
        assertThat(out, containsString("> use t9\nerror: no open transaction named 't9'; open: t1\n"));
        assertThat(out, containsString("> abort t9\nerror: no open transaction named 't9'; open: t1\n"));
        assertThat(
                "a read-only transaction commits at its snapshot",
                out,
                containsString("> commit\nt1 committed: it wrote nothing (its snapshot was timestamp "));
        assertThat(
                "a transaction open at the end of the input is aborted, and the shell says so",
                out,
                containsString("> put a 1\nok\nt2 aborted: it was still open when the shell ended\n"));
        assertThat(
                "so its write never happened", session(Engine.KV, dir, "get a\n"), equalTo("> get a\n(not found)\n"));
    }

    @ParameterizedTest
    @EnumSource(
            value = Engine.class,
            names = {"BTREE", "LSM", "AVL"})
    void anEngineWithoutTransactionsSaysSoAndNamesTheEnginesThatHaveThem(Engine engine) throws IOException {
        String out = session(engine, dir, "begin\ncommit\nabort\nuse t1\nput a 1\nget a\n");
        String expected =
                "error: " + engine.id() + " has no transactions: begin, commit, abort and use work on kv, kv-lsm\n";
        assertThat(
                out,
                equalTo("> begin\n" + expected + "> commit\n" + expected + "> abort\n" + expected + "> use t1\n"
                        + expected + "> put a 1\nok\n> get a\n1\n"));
    }

    @Test
    void helpListsTheTransactionCommands() throws IOException {
        String out = session(Engine.AVL, dir, "help\n");
        for (String command : List.of("begin ", "commit [TXN]", "abort [TXN]", "use TXN|-")) {
            assertThat(out, containsString("\n" + command));
        }
    }

    @Test
    void kvStatsCountTheLogAndFlushTakesACheckpoint() throws IOException {
        String out = session(Engine.KV, dir, "put a 1\nput b 2\nflush\nstats\ndump\n");
        assertThat("two puts, two log records", out, containsString("\nlog_records = 2\n"));
        assertThat(out, containsString("\ncheckpoints = 1\n"));
        assertThat("the log's bytes count as disk bytes: written twice", out, containsString("\nlog_bytes = "));
        assertThat(out, containsString("\nrecords_per_commit_group = 1.000\n"));
        assertThat("the gauges say where the transactions are", out, containsString("# gauges now\nvisible_ts = 2\n"));
        assertThat("two versions in the B+tree", out, containsString("\nversions = 2\n"));
        assertThat("dump opens with the store's state", out, containsString("kv over the B+tree: visible timestamp 2"));
    }

    @Test
    void theHybridSaysWhereAKeyIsAndMovesItOnRequest() throws IOException {
        String out = session(Engine.HYBRID, dir, """
                put price/1 10
                put order/1 shipped
                flush
                where price/1
                move price/1 hot
                where price/1
                move price/1 hot
                get price/1
                scan
                tiers
                move price/1 cold
                move order/1 warm
                where
                """);
        assertThat(
                "a new key is routed cold (the LSM tree) until the router or a person moves it; the cache still holds"
                        + " it, clean after the checkpoint, so a read is served from there",
                out,
                containsString("> where price/1\n\"price/1\": CACHE (routed COLD), reads "));
        assertThat(
                "where shows both placements' costs and whether a move is queued", out, containsString(", cost HOT "));
        assertThat(
                out,
                containsString(
                        "> move price/1 hot\nmoved to hot (the B+tree); the old copy goes at the next checkpoint,"
                                + " and the router leaves the key there for at least 30 min\n"));
        assertThat(
                "after the move the key is routed to the B+tree (and still read from the cache)",
                out,
                containsString("> where price/1\n\"price/1\": CACHE (routed HOT), reads "));
        assertThat(out, containsString("> move price/1 hot\nalready hot (the B+tree): nothing moved\n"));
        assertThat(
                "the moved key reads and scans once, with its value",
                out,
                containsString("> get price/1\n10\n> scan\norder/1 = shipped\nprice/1 = 10\n(2 entries)\n"));
        String tiers = out.substring(out.indexOf("> tiers\n"), out.indexOf("> move price/1 cold"));
        assertThat("one key routed hot", tiers, containsString("\nhot      1 keys routed to the B+tree, "));
        assertThat(
                "its old copy in the LSM tree waits for the next checkpoint",
                tiers,
                containsString("\nboth     1 keys with a copy in both engines (moves waiting for a checkpoint)\n"));
        assertThat(
                "the manual move counts as a migration, and took no token",
                tiers,
                containsString("\nmoves    1 done, 0 deferred, 0 queued; budget 400.0 of 400 tokens, 200.000/s\n"));
        assertThat(tiers, containsString("\ncache    "));
        assertThat(tiers, containsString("\narchive  "));
        assertThat(tiers, containsString("\ntracker  "));
        assertThat(out, containsString("> move price/1 cold\nmoved to cold (the LSM tree);"));
        assertThat(
                out,
                containsString(
                        "> move order/1 warm\nerror: move to hot (the B+tree) or cold (the LSM tree), not 'warm'\n"));
        assertThat(out, containsString("> where\nerror: usage: where KEY\n"));
    }

    @Test
    void aMoveSurvivesACheckpointAndAReopenAndTheStaleCopyIsGone() throws IOException {
        session(Engine.HYBRID, dir, "put a 1\nput b 2\nmove a hot\nflush\n");
        String out = session(Engine.HYBRID, dir, "where a\nwhere b\nget a\nscan\ntiers\nstats\n");
        assertThat(
                "reopened, the cache is empty: a is served from the B+tree",
                out,
                containsString("> where a\n\"a\": HOT (routed HOT)"));
        assertThat(out, containsString("> where b\n\"b\": COLD (routed COLD)"));
        assertThat(
                "where records no access: the tracker saw no read of a",
                out,
                containsString("\"a\": HOT (routed HOT), reads 0 "));
        assertThat(
                "read once, from the B+tree", out, containsString("> get a\n1\n> scan\na = 1\nb = 2\n(2 entries)\n"));
        assertThat(
                "the checkpoint deleted the LSM tree's stale copy",
                out,
                containsString("\nboth     0 keys with a copy in both engines"));
        assertThat("stats: the hybrid's counts and gauges", out, containsString("\nmigrations = 0\n"));
        assertThat(out, containsString("\nhot_keys = 1\n"));
        assertThat(out, containsString("\nduplicate_keys = 0\n"));
        assertThat(out, containsString("\nqueued_migrations = "));
        assertThat(out, containsString("\nwrite_amplification_since_open = "));
    }

    @ParameterizedTest
    @EnumSource(
            value = Engine.class,
            names = {"BTREE", "LSM", "KV"})
    void whereTiersAndMoveSayWhichEnginesHaveTiers(Engine engine) throws IOException {
        String out = session(engine, dir, "put a 1\nwhere a\ntiers\nmove a hot\nget a\n");
        assertThat(
                out,
                equalTo("> put a 1\nok\n"
                        + "> where a\nerror: " + engine.id()
                        + " has no tiers: where works on the hybrid engines (hybrid, hybrid-simple)\n"
                        + "> tiers\nerror: " + engine.id()
                        + " has no tiers: tiers works on the hybrid engines (hybrid, hybrid-simple)\n"
                        + "> move a hot\nerror: " + engine.id()
                        + " has no tiers: move works on the hybrid engines (hybrid, hybrid-simple)\n"
                        + "> get a\n1\n"));
    }

    @Test
    void theSimpleHybridSaysWhereAKeyIsButMovesKeysOnlyOnItsOwn() throws IOException {
        String out = session(Engine.HYBRID_SIMPLE, dir, "put a 1\nwhere a\nwhere z\ntiers\nmove a hot\nget a\n");
        assertThat(
                "a new key goes cold, and the LRU cache is written through",
                out,
                containsString("> where a\n\"a\": CACHE (routed COLD; the simple engine keeps per-key counters"));
        assertThat(out, containsString("> where z\n\"z\": NONE (routed COLD;"));
        assertThat(out, containsString("\nmoves    0 done, inline (no queue, no budget)\n"));
        assertThat(out, containsString("\ncache    1 entries (LRU), "));
        assertThat(
                out,
                containsString(
                        "> move a hot\nerror: hybrid-simple moves keys only on its own thresholds; move works on hybrid\n"));
        assertThat(out, containsString("> get a\n1\n"));
    }

    @Test
    void helpListsTheHybridCommands() throws IOException {
        String out = session(Engine.AVL, dir, "help\n");
        for (String command : List.of("where KEY ", "tiers ", "move KEY hot|cold ")) {
            assertThat(out, containsString("\n" + command));
        }
    }

    @Test
    void helpListsTheQueryCommands() throws IOException {
        String out = session(Engine.AVL, dir, "help\n");
        for (String command : List.of("table demo [ROWS] ", "analyze [BUCKETS] ", "explain QUERY ", "query QUERY ")) {
            assertThat(out, containsString("\n" + command));
        }
    }

    @Test
    void theDemoTableAnswersQueriesByTheCheapestPlanAndExplainsIt() throws IOException {
        String out = session(Engine.BTREE, dir, """
                explain orders where id = 1
                table demo 2000
                explain orders where id = 7
                query orders where id = 7
                explain orders where price between 0 and 999 and region = 'eu'
                explain orders where price < 500000
                query orders where price between 0 and 4999 and region = 'eu'
                query orders where price > 'x'
                query orders where price ~ 3
                query customers
                analyze 10
                """);
        assertThat(out, containsString("> explain orders where id = 1\nerror: no table yet"));
        assertThat(out, containsString("orders: 2000 rows"));
        assertThat(out, containsString("chosen: point lookup id = 7: examines ~1 rows"));
        assertThat(out, containsString("plan: point lookup id = 7"));
        assertThat(out, containsString("\nid=7 price="));
        assertThat(out, containsString("(1 rows)"));
        assertThat(out, containsString("chosen: index range scan on price (price between 0 and 999)"));
        assertThat(out, containsString("  alternative: full scan: examines ~2000 rows"));
        assertThat(out, containsString("  alternative: index range scan on region (region = 'eu')"));
        assertThat(
                out,
                containsString("> explain orders where price < 500000\nquery: orders where price < 500000\n"
                        + "table: 2000 rows"));
        assertThat(out, containsString("chosen: full scan: examines ~2000 rows"));
        assertThat(out, containsString("region='eu'"));
        assertThat(out, containsString("error: column price of table orders is LONG"));
        assertThat(out, containsString("error: expected an operator"));
        assertThat(out, containsString("error: the query is on table customers, not orders"));
        assertThat(out, containsString("histograms of 10 buckets"));
    }

    @Test
    void theDemoTableIsFoundAgainAfterAReopen() throws IOException {
        session(Engine.LSM, dir, "table demo 300\n");
        String out = session(Engine.LSM, dir, "table demo 0\nquery orders where id >= 290\n");
        assertThat(out, containsString("orders: 300 rows"));
        assertThat(out, containsString("(10 rows)"));
    }

    @Test
    void wordsSplitOnSpacesExceptInQuotes() {
        assertThat(Shell.tokenize("put \"a b\" c\\ d  \"\""), contains("put", "a b", "c d", ""));
        Shell shell = new Shell(null, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat("an unclosed quote is an error, not a crash", shell.execute("put \"a b"), is(true));
        assertThat(shell.errors(), is(1));
    }
}
