package dev.storagelab.grader.feedback;

import dev.storagelab.grader.submission.Submission;
import dev.storagelab.grader.workspace.GradedTest;
import dev.storagelab.grader.workspace.Lab;
import dev.storagelab.grader.workspace.LabBuild;
import dev.storagelab.grader.workspace.Regions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The words a failure message may hold ({@link FeedbackChannel}), in four tiers, each a fixed set
 * of words (runs of letters) chosen before any test runs:
 * <ol>
 *   <li><b>common</b>: the {@value #COMMON} most frequent words of the course's prose (the
 *       handouts, the messages the labs' code and tests write, the concepts, the grader's own
 *       messages);</li>
 *   <li><b>course</b>: every word of the workspace's handouts and of its labs' sources (the
 *       reference's solution regions left out), public, given and hidden, and of the grader's own
 *       messages;</li>
 *   <li><b>library</b>: the names and messages of the JDK's {@code java.*} packages, and of every
 *       library jar the lab's tests run with (JUnit, Hamcrest, jqwik, Guava);</li>
 *   <li><b>student</b>: the words of the student's own sources of the lab.</li>
 * </ol>
 * Each word comes with its lower-case, capitalised and upper-case forms.
 */
final class FeedbackVocabulary {

    /** How many words the common tier holds. */
    static final int COMMON = 256;

    private static final Pattern LETTERS = Pattern.compile("[A-Za-z]+");
    private static final Pattern LITERAL = Pattern.compile("\"\"\"[\\s\\S]*?\"\"\"|\"(?:[^\"\\\\\\n]|\\\\.)*\"");
    private static final Pattern SOLUTION =
            Pattern.compile("(?s)//\\s*BEGIN (SOLUTION|REMOVE)\\b.*?//\\s*END (SOLUTION|REMOVE)");

    /**
     * The grader's classes whose messages become part of a test's message, by resource name: read as
     * class files, never loaded (the runner's classes need the JUnit Platform, which only the test
     * JVM has).
     */
    private static final List<String> GRADER_MESSAGES = List.of(
            "dev/storagelab/grader/run/TestSupervisor",
            "dev/storagelab/grader/run/RunnerEvents",
            "dev/storagelab/grader/run/OutputTail",
            "dev/storagelab/grader/runner/HiddenTestRunner",
            "dev/storagelab/grader/runner/HangReport",
            "dev/storagelab/grader/sandbox/DiskQuota",
            "dev/storagelab/grader/feedback/LibraryNoise",
            "dev/storagelab/grader/policy/LabPolicy",
            "dev/storagelab/grader/policy/FileRules",
            "dev/storagelab/grader/policy/Refusal");

    private final Set<String> common;
    private final Set<String> course;
    private final Set<String> library;
    private final Set<String> student;

    private FeedbackVocabulary(Set<String> common, Set<String> course, Set<String> library, Set<String> student) {
        this.common = common;
        this.course = course;
        this.library = library;
        this.student = student;
    }

    /** Whether {@code word} is in any tier. */
    double weight(String word) {
        return weight(word, 1, 1, 1, 1);
    }

    /**
     * The weight of {@code word} when each tier as a whole weighs what is given: each tier shares its
     * weight equally among its words (the common one among {@value #COMMON}), and a word in several
     * tiers has the sum. Over all words, at most the tiers' weights added up.
     */
    double weight(String word, double commonWeight, double courseWeight, double libraryWeight, double studentWeight) {
        double w = 0;
        if (common.contains(word)) {
            w += commonWeight / COMMON;
        }
        if (course.contains(word)) {
            w += courseWeight / course.size();
        }
        if (library.contains(word)) {
            w += libraryWeight / library.size();
        }
        if (student.contains(word)) {
            w += studentWeight / student.size();
        }
        return w;
    }

    /** This vocabulary with {@code words} as the student's tier. */
    FeedbackVocabulary withStudent(Collection<String> words) {
        return new FeedbackVocabulary(common, course, library, forms(words));
    }

    /** The words of each tier, sorted: common, course, library, student (for the capacity test). */
    List<List<String>> tiers() {
        return List.of(sorted(common), sorted(course), sorted(library), sorted(student));
    }

    private static List<String> sorted(Set<String> words) {
        return words.stream().sorted().toList();
    }

    /** The sizes of the tiers, for the instructor's eyes and the capacity test. */
    String describe() {
        return "common " + common.size() + ", course " + course.size() + ", library " + library.size() + ", student "
                + student.size() + " words";
    }

    /**
     * The vocabulary of {@code lab} in the built workspace {@code root}, with the concepts and names
     * of its graded tests. What every lab of {@code root} shares (its handouts' and sources' words,
     * the grader's messages) is read once while those files stay as they are, and each library's
     * words once per grader: a grading of every lab reads the workspace's sources once, not once a
     * lab (the tiers are the same words either way).
     */
    static FeedbackVocabulary of(Path root, Lab lab, List<GradedTest> tests) throws IOException {
        WorkspaceText text = WorkspaceText.of(root);
        Map<String, Integer> prose = new HashMap<>(text.prose());
        Set<String> testWords = new HashSet<>();
        for (GradedTest t : tests) {
            count(t.concept() + " " + t.methodName(), prose);
            testWords.addAll(runs(t.concept() + " " + t.id()));
        }
        Set<String> course = new HashSet<>(text.course());
        course.addAll(forms(testWords));
        List<Path> jars = new ArrayList<>();
        Path module = root.resolve(lab.directory());
        if (Files.isRegularFile(module.resolve("target/test-classpath.txt"))) {
            for (Path entry : LabBuild.testClasspath(module)) {
                if (entry.toString().endsWith(".jar") && Files.isRegularFile(entry)) {
                    jars.add(entry);
                }
            }
        }
        List<String> byCount = new ArrayList<>(prose.keySet());
        byCount.sort((a, b) -> prose.get(b).equals(prose.get(a)) ? a.compareTo(b) : prose.get(b) - prose.get(a));
        Set<String> common = new HashSet<>(byCount.subList(0, Math.min(COMMON, byCount.size())));
        return new FeedbackVocabulary(common, Set.copyOf(course), library(jars), Set.of());
    }

    /**
     * What every lab of one workspace shares: the counts of the words of its prose (handouts, the
     * literals of its sources, the grader's messages) and every form of its course words.
     */
    private record WorkspaceText(Map<String, Integer> prose, Set<String> course) {

        /** The last workspaces read, each with what its files were (path, size, time) when it was read. */
        private static final Map<Path, Map.Entry<List<String>, WorkspaceText>> READ =
                new java.util.LinkedHashMap<>(8, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Path, Map.Entry<List<String>, WorkspaceText>> e) {
                        return size() > 4;
                    }
                };

        static WorkspaceText of(Path root) throws IOException {
            List<Path> handouts = new ArrayList<>();
            List<Path> sources = new ArrayList<>();
            try (Stream<Path> top = Files.list(root)) {
                for (Path module : top.filter(Files::isDirectory).sorted().toList()) {
                    Path handout = module.resolve("README.md");
                    if (Files.isRegularFile(handout)) {
                        handouts.add(handout);
                    }
                    for (String folder : List.of("src/main/java", "src/test/java", "src/hidden/java")) {
                        Path dir = module.resolve(folder);
                        if (!Files.isDirectory(dir)) {
                            continue;
                        }
                        try (Stream<Path> files = Files.walk(dir)) {
                            sources.addAll(files.filter(f -> f.toString().endsWith(".java"))
                                    .sorted()
                                    .toList());
                        }
                    }
                }
            }
            List<String> state = new ArrayList<>();
            for (List<Path> files : List.of(handouts, sources)) {
                for (Path p : files) {
                    state.add(p + " " + Files.size(p) + " "
                            + Files.getLastModifiedTime(p).toMillis());
                }
            }
            Path key = root.toAbsolutePath().normalize();
            synchronized (READ) {
                Map.Entry<List<String>, WorkspaceText> known = READ.get(key);
                if (known != null && known.getKey().equals(state)) {
                    return known.getValue();
                }
            }
            Map<String, Integer> prose = new HashMap<>();
            Set<String> course = new HashSet<>();
            for (Path handout : handouts) {
                String text = Regions.exportMarkdown(read(handout), handout.toString());
                count(text, prose);
                course.addAll(runs(text));
            }
            for (Path p : sources) {
                String text = SOLUTION.matcher(read(p)).replaceAll(" ");
                course.addAll(runs(text));
                Matcher m = LITERAL.matcher(text);
                while (m.find()) {
                    count(m.group(), prose);
                }
            }
            for (String message : graderMessages()) {
                count(message, prose);
                course.addAll(runs(message));
            }
            WorkspaceText text = new WorkspaceText(Map.copyOf(prose), forms(course));
            synchronized (READ) {
                READ.put(key, Map.entry(List.copyOf(state), text));
            }
            return text;
        }
    }

    /** A vocabulary of the given tiers (for tests of the channel). */
    static FeedbackVocabulary of(Set<String> common, Set<String> course, Set<String> library) {
        if (common.size() > COMMON) {
            throw new IllegalArgumentException("the common tier holds at most " + COMMON + " words");
        }
        return new FeedbackVocabulary(Set.copyOf(common), forms(course), forms(library), Set.of());
    }

    /**
     * The words of the student's sources, {@code sources} (the bytes of each .java file of the
     * grader's copy of them): every run of letters of each, a file that is not UTF-8 left out.
     */
    static Set<String> studentWords(Collection<byte[]> sources) {
        Set<String> words = new HashSet<>();
        for (byte[] source : sources) {
            try {
                words.addAll(runs(Submission.utf8(source)));
            } catch (java.nio.charset.CharacterCodingException e) {
                // not UTF-8: it does not compile either, and gives no words
            }
        }
        return words;
    }

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    /** Every run of letters in {@code text}. */
    static Set<String> runs(String text) {
        Set<String> words = new HashSet<>();
        Matcher m = LETTERS.matcher(text);
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    private static void count(String text, Map<String, Integer> counts) {
        Matcher m = LETTERS.matcher(text);
        while (m.find()) {
            counts.merge(m.group(), 1, Integer::sum);
        }
    }

    /** {@code words} and their lower-case, capitalised and upper-case forms. */
    private static Set<String> forms(Collection<String> words) {
        Set<String> all = new HashSet<>(words.size() * 3);
        for (String w : words) {
            String lower = w.toLowerCase(Locale.ROOT);
            all.add(w);
            all.add(lower);
            all.add(Character.toUpperCase(lower.charAt(0)) + lower.substring(1));
            all.add(w.toUpperCase(Locale.ROOT));
        }
        return Set.copyOf(all);
    }

    /**
     * The literal text of the grader's own messages (the constant parts of its string concatenations
     * included), from its classes and their nested classes.
     */
    static List<String> graderMessages() {
        List<String> messages = new ArrayList<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(GRADER_MESSAGES);
        Set<String> seen = new HashSet<>();
        while (!todo.isEmpty()) {
            String name = todo.poll();
            if (!seen.add(name)) {
                continue;
            }
            try (InputStream in = FeedbackVocabulary.class.getClassLoader().getResourceAsStream(name + ".class")) {
                if (in == null) { // a class moved without this list: its messages would pass as noise
                    throw new IllegalStateException("the grader has no class " + name + " whose messages feedback"
                            + " carries; rebuild the grader, or name the class where it now is");
                }
                ClassReader reader = new ClassReader(in.readAllBytes());
                messages.addAll(stringConstants(reader));
                reader.accept(
                        new ClassVisitor(Opcodes.ASM9) {
                            @Override
                            public void visitInnerClass(String inner, String outer, String simple, int access) {
                                if (name.equals(outer)) {
                                    todo.add(inner);
                                }
                            }
                        },
                        ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return messages;
    }

    /** The library tier of each class path read, by its jars: labs with the same libraries share one. */
    private static final Map<List<Path>, Set<String>> LIBRARIES = new ConcurrentHashMap<>();

    /** Every form of the library words of the JDK and of {@code jars}. */
    private static Set<String> library(List<Path> jars) throws IOException {
        Set<String> known = LIBRARIES.get(jars);
        if (known != null) {
            return known;
        }
        Set<String> library = new HashSet<>(jdk());
        for (Path jar : jars) {
            library.addAll(jar(jar));
        }
        Set<String> all = Set.copyOf(library);
        if (LIBRARIES.size() < 64) {
            LIBRARIES.put(List.copyOf(jars), all);
        }
        return all;
    }

    private static volatile Set<String> jdk;

    /**
     * Every form of the library words of the JDK's {@code java.base} module (its {@code java.*}
     * packages), read once per grader.
     */
    private static Set<String> jdk() throws IOException {
        Set<String> words = jdk;
        if (words == null) {
            words = new HashSet<>();
            java.nio.file.FileSystem jrt = java.nio.file.FileSystems.getFileSystem(java.net.URI.create("jrt:/"));
            try (Stream<Path> files = Files.walk(jrt.getPath("/modules/java.base/java"))) {
                for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    words.addAll(classWords(Files.readAllBytes(p)));
                }
            }
            words = forms(words);
            jdk = words;
        }
        return words;
    }

    private static final Map<Path, Set<String>> JARS = new ConcurrentHashMap<>();

    /** Every form of the library words of the classes in {@code jar}, read once per grader. */
    private static Set<String> jar(Path jar) throws IOException {
        Set<String> words = JARS.get(jar);
        if (words == null) {
            words = new HashSet<>();
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
                for (java.util.zip.ZipEntry e : java.util.Collections.list(zip.entries())) {
                    if (e.getName().endsWith(".class") && !e.getName().contains("module-info")) {
                        try (InputStream in = zip.getInputStream(e)) {
                            words.addAll(classWords(in.readAllBytes()));
                        }
                    }
                }
            }
            words = forms(words);
            JARS.put(jar, words);
        }
        return words;
    }

    /** The words of a class's names, its members' names and its string constants. */
    private static Set<String> classWords(byte[] bytes) {
        Set<String> words = new HashSet<>();
        ClassReader reader;
        try {
            reader = new ClassReader(bytes);
        } catch (RuntimeException e) {
            return words; // not a class this ASM reads: no words from it
        }
        words.addAll(runs(reader.getClassName()));
        for (String s : stringConstants(reader)) {
            words.addAll(runs(s));
        }
        reader.accept(
                new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public MethodVisitor visitMethod(
                            int access, String name, String descriptor, String signature, String[] exceptions) {
                        words.addAll(runs(name));
                        return null;
                    }

                    @Override
                    public FieldVisitor visitField(
                            int access, String name, String descriptor, String signature, Object value) {
                        words.addAll(runs(name));
                        return null;
                    }
                },
                ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return words;
    }

    /** The class's string constants ({@code CONSTANT_String}: literals, and the recipes of string concatenations). */
    private static List<String> stringConstants(ClassReader reader) {
        List<String> constants = new ArrayList<>();
        char[] buffer = new char[reader.getMaxStringLength()];
        for (int i = 1; i < reader.getItemCount(); i++) {
            int offset = reader.getItem(i);
            if (offset > 0 && reader.readByte(offset - 1) == 8) { // CONSTANT_String
                String s = reader.readUTF8(offset, buffer);
                if (s != null) {
                    constants.add(s);
                }
            }
        }
        return constants;
    }
}
