package dev.storagelab.grader.workspace;

import com.sun.source.tree.ArrayTypeTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.LineMap;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ParameterizedTypeTree;
import com.sun.source.tree.PrimitiveTypeTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

/**
 * The "do-nothing" release of a workspace: its student sources with every solution region replaced
 * by the simplest return of its method ({@code return;}, {@code false}, {@code -1}, an empty string,
 * array, collection or optional, {@code null}), as a student who wrote nothing but wanted the code to
 * run would. A hidden test that passes on it checks nothing the student wrote. The method a region
 * returns from is read by javac's parser from the reference's source.
 */
final class DoNothingRelease {

    private DoNothingRelease() {}

    /** Writes the do-nothing student sources of every lab of {@code workspace} into {@code target}, as a submission. */
    static void write(Workspace workspace, Path target) throws IOException {
        for (Lab lab : workspace.labs()) {
            Path sources = workspace.root().resolve(lab.studentSources());
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".java"))
                        .sorted()
                        .toList()) {
                    String source = Files.readString(p, StandardCharsets.UTF_8);
                    String rel = workspace.root().relativize(p).toString();
                    if (Regions.find(source, rel, lab).isEmpty()) {
                        continue; // given code: never taken from a submission
                    }
                    Map<Integer, String> returns = simplestReturns(source, rel);
                    String written = Regions.replaceJava(source, rel, lab, r -> returns.get(r.line()))
                            .text();
                    Path dest = target.resolve(rel);
                    Files.createDirectories(dest.getParent());
                    Files.writeString(dest, written, StandardCharsets.UTF_8);
                }
            }
        }
    }

    /** For each line of {@code source} that opens a solution region, the simplest return of its method. */
    private static Map<Integer, String> simplestReturns(String source, String file) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        JavaFileObject object = new SimpleJavaFileObject(URI.create("string:///" + file), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        JavacTask task = (JavacTask) javac.getTask(null, null, d -> {}, List.of("-proc:none"), null, List.of(object));
        CompilationUnitTree unit = task.parse().iterator().next();
        SourcePositions positions = Trees.instance(task).getSourcePositions();
        LineMap lines = unit.getLineMap();
        Map<Integer, String> returns = new java.util.HashMap<>();
        String[] text = source.split("\n", -1);
        for (int i = 0; i < text.length; i++) {
            if (!text[i].trim().startsWith("// BEGIN SOLUTION")) {
                continue;
            }
            long at = lines.getPosition(i + 1, 1);
            MethodTree[] innermost = {null};
            new TreeScanner<Void, Void>() {
                @Override
                public Void visitMethod(MethodTree m, Void v) {
                    if (positions.getStartPosition(unit, m) <= at && at < positions.getEndPosition(unit, m)) {
                        innermost[0] = m;
                    }
                    return super.visitMethod(m, v);
                }
            }.scan(unit, null);
            if (innermost[0] == null) {
                throw new IllegalStateException(file + ":" + (i + 1) + ": a solution region outside any method");
            }
            returns.put(i + 1, "return" + simplest(innermost[0].getReturnType()) + ";");
        }
        return returns;
    }

    /** The simplest value of {@code type}, after a space; nothing for {@code void} and constructors. */
    private static String simplest(Tree type) {
        if (type == null) {
            return "";
        }
        if (type instanceof PrimitiveTypeTree p) {
            return switch (p.getPrimitiveTypeKind()) {
                case VOID -> "";
                case BOOLEAN -> " false";
                case CHAR -> " (char) 0";
                default -> " -1";
            };
        }
        if (type instanceof ArrayTypeTree a) {
            String element = a.getType().toString();
            return element.matches("[A-Z]") ? " null" : " new " + element.replaceAll("<.*>", "") + "[0]";
        }
        String raw = type instanceof ParameterizedTypeTree p ? p.getType().toString() : type.toString();
        raw = raw.substring(raw.lastIndexOf('.') + 1);
        return switch (raw) {
            case "String", "CharSequence" -> " \"\"";
            case "Optional" -> " java.util.Optional.empty()";
            case "List", "Collection", "Iterable" -> " java.util.List.of()";
            case "Set" -> " java.util.Set.of()";
            case "Map" -> " java.util.Map.of()";
            case "SortedMap", "NavigableMap" -> " new java.util.TreeMap<>()";
            case "SortedSet", "NavigableSet" -> " new java.util.TreeSet<>()";
            case "Iterator" -> " java.util.Collections.emptyIterator()";
            default -> " null";
        };
    }
}
