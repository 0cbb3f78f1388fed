package dev.storagelab.workbench.shell;

import dev.storagelab.hybrid.query.DemoTable;
import dev.storagelab.hybrid.query.Explain;
import dev.storagelab.hybrid.query.Plan;
import dev.storagelab.hybrid.query.Planner;
import dev.storagelab.hybrid.query.Query;
import dev.storagelab.hybrid.query.QueryCostModel;
import dev.storagelab.hybrid.query.QueryParser;
import dev.storagelab.hybrid.query.Row;
import dev.storagelab.hybrid.query.Table;
import dev.storagelab.hybrid.query.TableStats;
import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import dev.storagelab.mvcc.ConflictException;
import dev.storagelab.mvcc.Transaction;
import dev.storagelab.mvcc.TransactionalStore;
import dev.storagelab.workbench.engines.Counters;
import dev.storagelab.workbench.engines.Engine;
import dev.storagelab.workbench.engines.EngineFactory;
import dev.storagelab.workbench.engines.Engines;
import dev.storagelab.workbench.engines.RoutedHandle;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * A shell over one open engine: type commands, see what the engine does. Interactive on a
 * terminal (line editing and a command history kept in {@code DIR/.storagelab-history}, through
 * JLine), or non-interactive from a script or standard input, one command per line, so tests and
 * scripts can drive it. Keys and values are text; quote them ({@code "two words"}) to include
 * spaces.
 *
 * <p>On an engine whose store is a {@link TransactionalStore} (lab-06's {@code kv} and
 * {@code kv-lsm}), {@code begin} starts a transaction, named {@code t1}, {@code t2}, ... and made
 * current: reads and writes go through the current transaction until it commits or aborts. Several
 * may be open at once ({@code use} switches between them, {@code use -} to none), which is how a
 * shell shows snapshot isolation and a first-committer-wins conflict. A conflict at commit is the
 * store's answer, not a failed command: it prints {@code conflict: ...} and does not count in
 * {@link #errors()}. Transactions still open when the shell ends are aborted.
 */
public final class Shell {

    static final String HELP = """
            put KEY VALUE        set KEY to VALUE
            get KEY              print KEY's value, or (not found)
            del KEY              delete KEY
            scan [FROM [TO]]     print the entries with FROM <= key < TO, in order ("-" for an open end)
            rscan [FROM [TO]]    the same, in reverse order
            page LIMIT [AFTER]   print up to LIMIT entries with keys after AFTER, and the command for the next page
            begin                start a transaction (kv, kv-lsm): get, put, del, scan, rscan and page then go
                                 through it, reading its snapshot and its own writes, until commit or abort
            commit [TXN]         commit the transaction (default: the current one): prints its commit timestamp,
                                 or the conflict that aborted it
            abort [TXN]          abort the transaction (default: the current one): none of its writes happen
            use TXN|-            make another open transaction current, or none (-: each command commits alone)
            stats                the engine's counts since it was opened, ratios and gauges
            flush                flush the memtable (sortedlog, lsm) or take a checkpoint (btree, kv, kv-lsm)
            compact              compact the segments (sortedlog), or every level into the next (lsm); kv: collect
                                 old versions (kv-lsm: then compact every level, which drops them)
            dump [--dot]         the engine's structure: the B+tree as text or Graphviz DOT, the segments,
                                 the LSM's tables per level with their key ranges (also: levels)
            where KEY            hybrid: the key's tier and route, the tracker's estimate and both placements' costs
            tiers                hybrid: each tier's size, cache hit rate, migration queue and token bucket
            move KEY hot|cold    hybrid: move the key to the B+tree (hot) or the LSM tree (cold) now
            table demo [ROWS]    the demo table orders(id, price, region, note), indexes on price and region: loads
                                 ROWS rows (default 10000; 0: the rows already stored), then analyze
            analyze [BUCKETS]    count the table's rows and build a histogram per column (default 100 buckets)
            explain QUERY        the plans for QUERY with their estimated rows and costs, the chosen one first
                                 (QUERY: orders where price between 10 and 20 and region = 'eu'; =, <, <=, >, >=)
            query QUERY          run QUERY by the chosen plan: the plan, then up to 20 rows and the count
            help                 this list
            quit                 close the engine and leave (so does end of input)""";

    private final Engine.Handle engine;
    private final PrintStream out;
    private int errors;
    private long gets;
    /** The open transactions by name, oldest first. */
    private final Map<String, Transaction> transactions = new LinkedHashMap<>();
    /** The open transactions that wrote something. */
    private final Set<String> writers = new HashSet<>();
    /** The transaction reads and writes go through; null: each command on its own. */
    private String current;

    private int nextTransaction = 1;
    /** The demo table ({@code table demo}) and its planner (after {@code analyze}); null until then. */
    private Table table;

    private Planner planner;
    /** Rows {@code query} prints before it only counts. */
    static final int QUERY_ROWS_SHOWN = 20;

    public Shell(Engine.Handle engine, PrintStream out) {
        this.engine = engine;
        this.out = out;
    }

    /** How many commands failed so far. */
    public int errors() {
        return errors;
    }

    /** Runs every line of {@code in} as a command, echoing each after a prompt, until end of input or quit. */
    public void runScript(BufferedReader in) throws IOException {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                out.println("> " + line);
                if (!execute(line)) {
                    return;
                }
            }
        } finally {
            abortOpenTransactions();
        }
    }

    /** Aborts the transactions still open, saying so: the shell is ending. */
    void abortOpenTransactions() {
        for (Map.Entry<String, Transaction> t : transactions.entrySet()) {
            t.getValue().abort();
            out.println(t.getKey() + " aborted: it was still open when the shell ended");
        }
        transactions.clear();
        writers.clear();
        current = null;
    }

    /** Runs an interactive session on the terminal, with history saved in {@code historyFile}. */
    public void runInteractive(Path historyFile) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder()
                    .terminal(terminal)
                    .variable(LineReader.HISTORY_FILE, historyFile)
                    .build();
            out.println(engine.engine().id() + ": " + engine.engine().description() + ". Type help for the commands.");
            try {
                while (true) {
                    String line;
                    try {
                        line = reader.readLine(engine.engine().id() + (current == null ? "" : " " + current) + "> ");
                    } catch (UserInterruptException e) {
                        continue;
                    } catch (EndOfFileException e) {
                        return;
                    }
                    if (!execute(line)) {
                        return;
                    }
                }
            } finally {
                abortOpenTransactions();
            }
        }
    }

    /**
     * Runs one command line and prints its result; a failure prints {@code error: ...} and counts.
     *
     * @return false if the command was quit
     */
    public boolean execute(String line) {
        List<String> words;
        try {
            words = tokenize(line);
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
        if (words.isEmpty() || words.get(0).startsWith("#")) {
            return true;
        }
        String command = words.get(0);
        List<String> args = words.subList(1, words.size());
        try {
            switch (command) {
                case "put" -> {
                    arity(args, 2, 2, "put KEY VALUE");
                    Transaction t = currentTransaction();
                    if (t != null) {
                        t.put(Bytes.of(args.get(0)), Bytes.of(args.get(1)));
                        writers.add(current);
                    } else {
                        engine.store().put(Bytes.of(args.get(0)), Bytes.of(args.get(1)));
                    }
                    out.println("ok");
                }
                case "get" -> {
                    arity(args, 1, 1, "get KEY");
                    Transaction t = currentTransaction();
                    Optional<Bytes> v = t != null
                            ? t.get(Bytes.of(args.get(0)))
                            : engine.store().get(Bytes.of(args.get(0)));
                    gets++;
                    out.println(v.map(Bytes::toUtf8).orElse("(not found)"));
                }
                case "del" -> {
                    arity(args, 1, 1, "del KEY");
                    Transaction t = currentTransaction();
                    if (t != null) {
                        t.delete(Bytes.of(args.get(0)));
                        writers.add(current);
                    } else {
                        engine.store().delete(Bytes.of(args.get(0)));
                    }
                    out.println("ok");
                }
                case "scan", "rscan" -> {
                    arity(args, 0, 2, command + " [FROM [TO]]");
                    Bytes from = bound(args, 0);
                    Bytes to = bound(args, 1);
                    try (EntryIterator it = command.equals("scan") ? scan(from, to) : scanReverse(from, to)) {
                        print(it, Long.MAX_VALUE);
                    }
                }
                case "begin" -> {
                    arity(args, 0, 0, "begin");
                    Transaction t = transactional().begin();
                    String name = "t" + nextTransaction++;
                    transactions.put(name, t);
                    current = name;
                    out.println(name + " began at timestamp " + t.startTs()
                            + ": get, put, del and scan go through it until commit or abort");
                }
                case "commit", "abort" -> {
                    arity(args, 0, 1, command + " [TXN]");
                    transactional();
                    String name = args.isEmpty() ? current : args.get(0);
                    Transaction t = name == null ? null : transactions.get(name);
                    if (t == null) {
                        throw new IllegalArgumentException(
                                name == null
                                        ? "no transaction is current (begin starts one)"
                                        : "no open transaction named '" + name + "'; open: " + openNames());
                    }
                    boolean wrote = writers.contains(name);
                    transactions.remove(name);
                    writers.remove(name);
                    if (name.equals(current)) {
                        current = null;
                    }
                    if (command.equals("abort")) {
                        t.abort();
                        out.println(name + " aborted" + stillOpen());
                    } else {
                        try {
                            long ts = t.commit();
                            out.println(name
                                    + (wrote
                                            ? " committed at timestamp " + ts
                                            : " committed: it wrote nothing (its snapshot was timestamp " + ts + ")")
                                    + stillOpen());
                        } catch (ConflictException e) {
                            out.println("conflict: " + name + " aborted, on key "
                                    + quote(e.key().toUtf8()) + ": " + e.getMessage() + stillOpen());
                        } finally {
                            t.close(); // aborts it if the commit failed half way (an I/O error)
                        }
                    }
                }
                case "use" -> {
                    arity(args, 1, 1, "use TXN|-");
                    transactional();
                    String name = args.get(0);
                    if (name.equals("-")) {
                        current = null;
                        out.println("no transaction is current: each command commits on its own" + stillOpen());
                    } else if (transactions.containsKey(name)) {
                        current = name;
                        out.println(name + " is current (it reads at timestamp "
                                + transactions.get(name).startTs() + ")");
                    } else {
                        throw new IllegalArgumentException(
                                "no open transaction named '" + name + "'; open: " + openNames());
                    }
                }
                case "page" -> {
                    arity(args, 1, 2, "page LIMIT [AFTER]");
                    int limit = Integer.parseInt(args.get(0));
                    if (limit < 1) {
                        throw new IllegalArgumentException("LIMIT must be at least 1: " + limit);
                    }
                    Bytes after = args.size() > 1 ? Bytes.of(args.get(1)) : null;
                    try (EntryIterator it = scan(after, null)) {
                        Bytes last = null;
                        int shown = 0;
                        while (shown < limit && it.hasNext()) {
                            Entry e = it.next();
                            if (after != null && e.key().equals(after)) {
                                continue; // keyset pagination: strictly after the last key shown
                            }
                            out.println(e.key().toUtf8() + " = " + e.value().toUtf8());
                            last = e.key();
                            shown++;
                        }
                        out.println(
                                shown == limit && it.hasNext()
                                        ? "(next: page " + limit + " " + quote(last.toUtf8()) + ")"
                                        : "(" + shown + " entries, end)");
                    }
                }
                case "stats" -> {
                    arity(args, 0, 0, "stats");
                    Map<String, Long> counts = engine.counts(); // before the gauges, which may read pages themselves
                    out.println(
                            "# counts since the engine was opened, ratios per get over this shell's " + gets + " gets");
                    print(Counters.withRatios(counts, gets));
                    out.println("# gauges now");
                    print(engine.gauges());
                }
                case "flush" -> {
                    arity(args, 0, 0, "flush");
                    engine.flush();
                    out.println("ok");
                }
                case "compact" -> {
                    arity(args, 0, 0, "compact");
                    engine.compact();
                    out.println("ok");
                }
                case "dump", "levels" -> {
                    arity(args, 0, 1, "dump [--dot]");
                    boolean dot = args.size() == 1;
                    if (dot && !args.get(0).equals("--dot")) {
                        throw new IllegalArgumentException("usage: dump [--dot]");
                    }
                    out.print(engine.dump(dot));
                }
                case "where" -> {
                    arity(args, 1, 1, "where KEY");
                    out.println(routed(command).where(Bytes.of(args.get(0))));
                }
                case "tiers" -> {
                    arity(args, 0, 0, "tiers");
                    out.println(routed(command).tiers());
                }
                case "move" -> {
                    arity(args, 2, 2, "move KEY hot|cold");
                    out.println(routed(command).move(Bytes.of(args.get(0)), args.get(1)));
                }
                case "table" -> {
                    arity(args, 1, 2, "table demo [ROWS]");
                    if (!args.get(0).equals("demo")) {
                        throw new IllegalArgumentException("usage: table demo [ROWS] (the one table the shell knows)");
                    }
                    int rows = args.size() > 1 ? Integer.parseInt(args.get(1)) : 10_000;
                    if (rows < 0) {
                        throw new IllegalArgumentException("ROWS must not be negative: " + rows);
                    }
                    table = rows == 0
                            ? Table.open(engine.store(), DemoTable.SCHEMA)
                            : DemoTable.load(engine.store(), rows, 42);
                    analyze(100);
                }
                case "analyze" -> {
                    arity(args, 0, 1, "analyze [BUCKETS]");
                    demoTable();
                    analyze(args.isEmpty() ? 100 : Integer.parseInt(args.get(0)));
                }
                case "explain" -> out.print(planner().explain(parseQuery(line, command)));
                case "query" -> {
                    Query q = parseQuery(line, command);
                    Explain e = planner().explain(q);
                    Plan plan = e.chosen();
                    out.println("plan: " + plan.describe());
                    List<Row> rows = planner.execute(q, plan);
                    for (Row r : rows.subList(0, Math.min(rows.size(), QUERY_ROWS_SHOWN))) {
                        out.println(show(r));
                    }
                    out.println("(" + rows.size() + " rows"
                            + (rows.size() > QUERY_ROWS_SHOWN ? ", " + QUERY_ROWS_SHOWN + " shown" : "") + ")");
                }
                case "help" -> out.println(HELP);
                case "quit", "exit" -> {
                    return false;
                }
                default ->
                    throw new IllegalArgumentException("unknown command '" + command + "'; type help for the commands");
            }
        } catch (IOException | RuntimeException e) {
            return error(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return true;
    }

    private Table demoTable() {
        if (table == null) {
            throw new IllegalArgumentException(
                    "no table yet: table demo [ROWS] loads the demo table (table demo 0: the rows already stored)");
        }
        return table;
    }

    private Planner planner() {
        demoTable();
        return planner;
    }

    /** ANALYZE: the table's statistics, and a planner with the default cost model (NVMe figures) over them. */
    private void analyze(int buckets) throws IOException {
        TableStats stats = table.analyze(buckets);
        planner = new Planner(table, stats, QueryCostModel.defaults());
        out.println("orders: " + stats + "; histograms of " + buckets + " buckets");
    }

    /** The query after the command word, in the query grammar (its single quotes are its own, not the shell's). */
    private static Query parseQuery(String line, String command) {
        String text = line.strip().substring(command.length()).strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("usage: " + command + " orders [where PREDICATE [and PREDICATE]...]");
        }
        return QueryParser.parse(text);
    }

    /** A row as {@code column=value} pairs, long strings cut to 16 characters. */
    private static String show(Row r) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < DemoTable.SCHEMA.columns().size(); i++) {
            Object v = r.get(i);
            String text = v instanceof String str
                    ? "'" + (str.length() > 16 ? str.substring(0, 16) + "...(" + str.length() + ")" : str) + "'"
                    : String.valueOf(v);
            s.append(i == 0 ? "" : " ")
                    .append(DemoTable.SCHEMA.columns().get(i).name())
                    .append('=')
                    .append(text);
        }
        return s.toString();
    }

    /** The engine's store as a transactional one, or an error that says which engines have transactions. */
    private TransactionalStore transactional() {
        if (engine.store() instanceof TransactionalStore ts) {
            return ts;
        }
        throw new IllegalArgumentException(
                engine.engine().id() + " has no transactions: begin, commit, abort and use work on "
                        + String.join(
                                ", ",
                                Engines.all().stream()
                                        .filter(EngineFactory::transactional)
                                        .map(EngineFactory::id)
                                        .toList()));
    }

    /** The engine as one that places keys in tiers, or an error that names the engines that do. */
    private RoutedHandle routed(String command) {
        if (engine instanceof RoutedHandle routed) {
            return routed;
        }
        throw new IllegalArgumentException(
                engine.engine().id() + " has no tiers: " + command + " works on the hybrid engines ("
                        + String.join(
                                ", ",
                                java.util.Arrays.stream(Engine.values())
                                        .filter(Engine::routed)
                                        .map(Engine::id)
                                        .toList())
                        + ")");
    }

    /** The current transaction, or null. */
    private Transaction currentTransaction() {
        return current == null ? null : transactions.get(current);
    }

    private EntryIterator scan(Bytes from, Bytes to) throws IOException {
        Transaction t = currentTransaction();
        return t != null ? t.scan(from, to) : engine.store().scan(from, to);
    }

    /** A transaction scans forward only: its snapshot's range is read forward and handed out backwards. */
    private EntryIterator scanReverse(Bytes from, Bytes to) throws IOException {
        Transaction t = currentTransaction();
        if (t == null) {
            return engine.store().scanReverse(from, to);
        }
        List<Entry> entries = new ArrayList<>();
        try (EntryIterator it = t.scan(from, to)) {
            it.forEachRemaining(entries::add);
        }
        Collections.reverse(entries);
        return EntryIterator.of(entries.iterator());
    }

    private String openNames() {
        return transactions.isEmpty() ? "none" : String.join(", ", transactions.keySet());
    }

    /** A note on the transactions still open, for the line that ends or leaves one. */
    private String stillOpen() {
        return transactions.isEmpty() ? "" : " (still open: " + openNames() + "; use TXN to go on with one)";
    }

    private boolean error(String message) {
        errors++;
        out.println("error: " + message);
        return true;
    }

    private void print(Map<String, Object> figures) {
        figures.forEach((name, value) -> out.println(name + " = " + Counters.format(value)));
    }

    private void print(EntryIterator it, long limit) {
        long n = 0;
        while (n < limit && it.hasNext()) {
            Entry e = it.next();
            out.println(e.key().toUtf8() + " = " + e.value().toUtf8());
            n++;
        }
        out.println("(" + n + " entries)");
    }

    private static Bytes bound(List<String> args, int i) {
        return args.size() > i && !args.get(i).equals("-") ? Bytes.of(args.get(i)) : null;
    }

    private static void arity(List<String> args, int min, int max, String usage) {
        if (args.size() < min || args.size() > max) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    private static String quote(String s) {
        return s.contains(" ") || s.isEmpty() ? "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : s;
    }

    /** Splits a command line into words; double quotes group words, a backslash escapes the next character. */
    static List<String> tokenize(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                word = word == null ? new StringBuilder() : word;
                word.append(line.charAt(++i));
            } else if (c == '"') {
                word = word == null ? new StringBuilder() : word;
                quoted = !quoted;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unclosed quote in: " + line);
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
