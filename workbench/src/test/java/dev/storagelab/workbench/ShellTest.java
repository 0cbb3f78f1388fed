package dev.storagelab.workbench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class ShellTest {

    @TempDir
    Path dir;

    private String session(Engine engine, Path where, String script) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Engine.Handle h = engine.open(where); PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
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
        for (Engine engine : List.of(Engine.SORTEDLOG, Engine.BTREE, Engine.LSM)) {
            Path where = dir.resolve(engine.id());
            session(engine, where, "put k v\nflush\n");
            assertThat(engine + " reopened", session(engine, where, "get k\n"), equalTo("> get k\nv\n"));
        }
    }

    @Test
    void statsDumpAndFlushSpeakForTheEngine() throws IOException {
        String out = session(Engine.BTREE, dir, "put a 1\nflush\nget a\nget z\nstats\ndump\ndump --dot\ncompact\n");
        assertThat("stats: totals since the engine was opened, ratios over the shell's own gets", out,
                containsString("# counts since the engine was opened, ratios per get over this shell's 2 gets\n"
                        + "user_bytes_written = 2\n"));
        assertThat("the pool still holds the leaf the checkpoint wrote", out, containsString("\npage_reads_per_get = 0.000\n"));
        assertThat(out, containsString("\ncache_hit_rate = "));
        assertThat("the gauges come last", out, containsString("# gauges now\nkeys = 1\nheight = 1\n"));
        assertThat("dump shows the B+tree", out, containsString("leaf 1: \"a\""));
        assertThat("dump --dot is Graphviz", out, containsString("digraph btree {"));
        assertThat("the B+tree has nothing to compact, and says so", out, containsString("error: btree has nothing to compact"));
    }

    @Test
    void theLsmShowsItsLevelsAfterAFlushAndACompaction() throws IOException {
        String out = session(Engine.LSM, dir, "put a 1\nput b 2\nflush\nlevels\ncompact\nlevels\nget b\n");
        assertThat("after the flush, one table in level 0", out, containsString("L0: 1 tables"));
        assertThat("compact moves it down: level 0 is empty after", out.substring(out.lastIndexOf("> levels")),
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

    @Test
    void wordsSplitOnSpacesExceptInQuotes() {
        assertThat(Shell.tokenize("put \"a b\" c\\ d  \"\""), contains("put", "a b", "c d", ""));
        Shell shell = new Shell(null, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat("an unclosed quote is an error, not a crash", shell.execute("put \"a b"), is(true));
        assertThat(shell.errors(), is(1));
    }
}
