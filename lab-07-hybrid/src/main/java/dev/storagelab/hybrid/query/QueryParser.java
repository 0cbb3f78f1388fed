package dev.storagelab.hybrid.query;

import java.util.ArrayList;
import java.util.List;

/**
 * The shell's tiny query language:
 * <pre>
 *   query     := table [ "where" predicate { "and" predicate } ]
 *   predicate := column ( "=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=" ) value
 *              | column "between" value "and" value
 *   value     := an integer (a long) | a string in single quotes ('' inside stands for ')
 * </pre>
 * Keywords are case-insensitive; names are as {@link Column} allows. Example:
 * {@code orders where price between 10 and 20 and region = 'eu'}.
 */
public final class QueryParser {

    private final String text;
    private final List<String> tokens = new ArrayList<>();
    private final List<Integer> at = new ArrayList<>();
    private int next;

    private QueryParser(String text) {
        this.text = text;
    }

    /**
     * The query {@code text} says.
     *
     * @throws IllegalArgumentException naming the position and what was expected, if it does not parse
     */
    public static Query parse(String text) {
        QueryParser p = new QueryParser(text);
        p.tokenize();
        return p.query();
    }

    private Query query() {
        String table = expectName("a table name");
        List<Predicate> predicates = new ArrayList<>();
        if (next < tokens.size()) {
            expectKeyword("where");
            predicates.add(predicate());
            while (next < tokens.size()) {
                expectKeyword("and");
                predicates.add(predicate());
            }
        }
        return new Query(table, predicates);
    }

    private Predicate predicate() {
        String column = expectName("a column name");
        String op = take("an operator (=, <, <=, >, >=, between)");
        switch (op.toLowerCase(java.util.Locale.ROOT)) {
            case "=":
                return Predicate.eq(column, value());
            case "<":
                return Predicate.less(column, value(), false);
            case "<=":
                return Predicate.less(column, value(), true);
            case ">":
                return Predicate.greater(column, value(), false);
            case ">=":
                return Predicate.greater(column, value(), true);
            case "between": {
                Object low = value();
                expectKeyword("and");
                Object high = value();
                if (low.getClass() != high.getClass()) {
                    throw error(next - 1, "between compares " + column + " with a number and a string");
                }
                return Predicate.between(column, low, high);
            }
            default:
                throw error(next - 1, "expected an operator (=, <, <=, >, >=, between), found '" + op + "'");
        }
    }

    private Object value() {
        int pos = next;
        String t = take("a value (an integer or a 'string')");
        if (t.startsWith("'")) {
            return t.substring(1, t.length() - 1).replace("''", "'");
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw error(pos, "expected a value (an integer or a 'string'), found '" + t + "'");
        }
    }

    private String expectName(String what) {
        int pos = next;
        String t = take(what);
        if (!t.matches("[a-z][a-z0-9_]*")) {
            throw error(pos, "expected " + what + ", found '" + t + "'");
        }
        return t;
    }

    private void expectKeyword(String keyword) {
        int pos = next;
        String t = take("'" + keyword + "'");
        if (!t.equalsIgnoreCase(keyword)) {
            throw error(pos, "expected '" + keyword + "', found '" + t + "'");
        }
    }

    private String take(String what) {
        if (next >= tokens.size()) {
            throw new IllegalArgumentException("query ends where " + what + " was expected: " + text);
        }
        return tokens.get(next++);
    }

    private IllegalArgumentException error(int token, String message) {
        return new IllegalArgumentException(message + " at column " + (at.get(token) + 1) + " of: " + text);
    }

    private void tokenize() {
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'') {
                int start = i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("unclosed string at column " + (start + 1) + " of: " + text);
                    }
                    if (text.charAt(i) == '\'') {
                        if (i + 1 < n && text.charAt(i + 1) == '\'') {
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    i++;
                }
                add(text.substring(start, i), start);
            } else if (c == '<' || c == '>' || c == '=') {
                int start = i++;
                if (i < n && text.charAt(i) == '=' && c != '=') {
                    i++;
                }
                add(text.substring(start, i), start);
            } else {
                int start = i;
                while (i < n && !Character.isWhitespace(text.charAt(i)) && "<>='".indexOf(text.charAt(i)) < 0) {
                    i++;
                }
                add(text.substring(start, i), start);
            }
        }
    }

    private void add(String token, int position) {
        tokens.add(token);
        at.add(position);
    }
}
