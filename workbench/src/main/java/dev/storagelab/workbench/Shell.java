package dev.storagelab.workbench;

import dev.storagelab.kv.Bytes;
import dev.storagelab.kv.Entry;
import dev.storagelab.kv.EntryIterator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 */
public final class Shell {

    static final String HELP = """
            put KEY VALUE        set KEY to VALUE
            get KEY              print KEY's value, or (not found)
            del KEY              delete KEY
            scan [FROM [TO]]     print the entries with FROM <= key < TO, in order ("-" for an open end)
            rscan [FROM [TO]]    the same, in reverse order
            page LIMIT [AFTER]   print up to LIMIT entries with keys after AFTER, and the command for the next page
            stats                the engine's counts since it was opened, ratios and gauges
            flush                flush the memtable (sortedlog, lsm) or take a checkpoint (btree)
            compact              compact the segments (sortedlog), or every level into the next (lsm)
            dump [--dot]         the engine's structure: the B+tree as text or Graphviz DOT, the segments,
                                 the LSM's tables per level with their key ranges (also: levels)
            help                 this list
            quit                 close the engine and leave (so does end of input)""";

    private final Engine.Handle engine;
    private final PrintStream out;
    private int errors;
    private long gets;

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
        String line;
        while ((line = in.readLine()) != null) {
            out.println("> " + line);
            if (!execute(line)) {
                return;
            }
        }
    }

    /** Runs an interactive session on the terminal, with history saved in {@code historyFile}. */
    public void runInteractive(Path historyFile) throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            LineReader reader = LineReaderBuilder.builder().terminal(terminal)
                    .variable(LineReader.HISTORY_FILE, historyFile).build();
            out.println(engine.engine().id() + ": " + engine.engine().description() + ". Type help for the commands.");
            while (true) {
                String line;
                try {
                    line = reader.readLine(engine.engine().id() + "> ");
                } catch (UserInterruptException e) {
                    continue;
                } catch (EndOfFileException e) {
                    return;
                }
                if (!execute(line)) {
                    return;
                }
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
                    engine.store().put(Bytes.of(args.get(0)), Bytes.of(args.get(1)));
                    out.println("ok");
                }
                case "get" -> {
                    arity(args, 1, 1, "get KEY");
                    Optional<Bytes> v = engine.store().get(Bytes.of(args.get(0)));
                    gets++;
                    out.println(v.map(Bytes::toUtf8).orElse("(not found)"));
                }
                case "del" -> {
                    arity(args, 1, 1, "del KEY");
                    engine.store().delete(Bytes.of(args.get(0)));
                    out.println("ok");
                }
                case "scan", "rscan" -> {
                    arity(args, 0, 2, command + " [FROM [TO]]");
                    Bytes from = bound(args, 0);
                    Bytes to = bound(args, 1);
                    try (EntryIterator it = command.equals("scan") ? engine.store().scan(from, to)
                            : engine.store().scanReverse(from, to)) {
                        print(it, Long.MAX_VALUE);
                    }
                }
                case "page" -> {
                    arity(args, 1, 2, "page LIMIT [AFTER]");
                    int limit = Integer.parseInt(args.get(0));
                    if (limit < 1) {
                        throw new IllegalArgumentException("LIMIT must be at least 1: " + limit);
                    }
                    Bytes after = args.size() > 1 ? Bytes.of(args.get(1)) : null;
                    try (EntryIterator it = engine.store().scan(after, null)) {
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
                        out.println(shown == limit && it.hasNext() ? "(next: page " + limit + " " + quote(last.toUtf8()) + ")"
                                : "(" + shown + " entries, end)");
                    }
                }
                case "stats" -> {
                    arity(args, 0, 0, "stats");
                    Map<String, Long> counts = engine.counts(); // before the gauges, which may read pages themselves
                    out.println("# counts since the engine was opened, ratios per get over this shell's " + gets + " gets");
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
                case "help" -> out.println(HELP);
                case "quit", "exit" -> {
                    return false;
                }
                default -> throw new IllegalArgumentException("unknown command '" + command + "'; type help for the commands");
            }
        } catch (IOException | RuntimeException e) {
            return error(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        return true;
    }

    private boolean error(String message) {
        errors++;
        out.println("error: " + message);
        return true;
    }

    private void print(Map<String, Object> figures) {
        figures.forEach((name, value) -> out.println(name + " = " + WorkbenchMain.format(value)));
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
