package dev.storagelab.grader.cli;

import picocli.CommandLine.Command;

/** The verbs the workbench answers, each passed on to it whole ({@link WorkbenchVerb}). */
final class WorkbenchVerbs {

    private WorkbenchVerbs() {}

    @Command(
            name = "workload",
            description =
                    "Run one workload on one engine: throughput, latency percentiles, the engine's"
                            + " counters. Options: --engine E --workload W [--ops N] [--keys N] [--dir D] [--json]; `workload --help` lists them all.")
    static final class WorkloadVerb extends WorkbenchVerb {}

    @Command(
            name = "arena",
            description =
                    "Compare engines on equal terms in one run: one memory budget, the same log and sync"
                            + " mode, data larger than memory read past the page cache, steady-state figures. Options: --workload W --engines a,b,c"
                            + " --memory SIZE --data N [--sync none|group|every-write] [--json] [--sweep DIR]; `arena --help` lists them all.")
    static final class ArenaVerb extends WorkbenchVerb {}

    @Command(
            name = "shell",
            description =
                    "An interactive shell over one engine (put, get, del, scan, page, stats, flush,"
                            + " compact, dump, help; begin, commit, abort on kv; where, tiers, move on hybrid). Options: --engine E --dir D [--script FILE]; reads standard input when it is not a terminal.")
    static final class ShellVerb extends WorkbenchVerb {}

    @Command(
            name = "lsm-sim",
            description =
                    "Simulate lab-05's compaction policies in memory: the levels as writes go in, the write"
                            + " and space amplification. Options: --policy leveled|tiered --ratio N --keys N --writes N --pattern uniform|zipfian|sequential.")
    static final class LsmSimVerb extends WorkbenchVerb {}

    @Command(
            name = "repair",
            description = "Salvage a store whose open is refused because of its write-ahead log (kv, kv-lsm,"
                    + " hybrid): says what it would cut and whether anything acknowledged is lost; changes the files only with --apply."
                    + " Options: --dir D [--apply].")
    static final class RepairVerb extends WorkbenchVerb {}

    @Command(
            name = "hybrid-calibrate",
            description =
                    "Measure this machine's storage and the lab-04 and lab-05 engines and write"
                            + " the hardware profile lab-07's cost model reads. Options: [--dir D] [--out FILE] [--device nvme|hdd|object-store] [--keys N].")
    static final class HybridCalibrateVerb extends WorkbenchVerb {}

    @Command(
            name = "viz",
            description = "Watch the engines work in the browser: B+tree pages, buffer pool frames, LSM levels and"
                    + " compactions, group commits, MVCC versions, the hybrid's routes; recorded runs (from 'workload ... --events"
                    + " RUN.jsonl') scrubbed, stepped and laid side by side, and live runs started from the page."
                    + " Options: [--port N] [--bind ADDRESS] [RUN.jsonl ...]; GET /health answers 200 when it is up.")
    static final class VizVerb extends WorkbenchVerb {}

    @Command(
            name = "book",
            description =
                    "Build the notes and the handouts as a book: a static site with a title page, the chapters and"
                            + " handouts in course order, a table of contents on every page, the figures drawn from notes/data,"
                            + " highlighted code and a search box. Options: --out DIR | --serve [--port N] [--bind ADDRESS];"
                            + " --serve serves it at /book/ beside the viewer, so that a page's recorded runs open in it.")
    static final class BookVerb extends WorkbenchVerb {}

    @Command(
            name = "figures",
            description = "Redraw every figure of the notes (notes/figures/*.png) from the recorded data in notes/data,"
                    + " with the JDK alone, and print the tables the notes quote. Options: [--data DIR] [--out DIR] [--quiet];"
                    + " the tables of the notes' runs and measurement logs: figures lsm-table, hybrid-table, arena-table,"
                    + " run-line, events-ab, grade-summary and more (figures --help lists them, each with --help).")
    static final class FiguresVerb extends WorkbenchVerb {}
}
