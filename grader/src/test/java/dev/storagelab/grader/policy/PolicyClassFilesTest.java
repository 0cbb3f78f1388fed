package dev.storagelab.grader.policy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The JDK's classes as the grader rewrites them once for the agent ({@link PolicyClassFiles}), on
 * this test's JDK: each can replace the loaded class by a redefinition (the same fields, methods and
 * nest, nothing added), and each calls the policy at the entry points its rule names.
 */
class PolicyClassFilesTest {

    private static List<PolicyClassFiles.Rewritten> rewritten;

    @BeforeAll
    static void rewrite() {
        rewritten = PolicyClassFiles.ofThisJdk();
    }

    /** What a redefinition may not change, and the methods that call {@link LabPolicy}. */
    private record Shape(Set<String> schema, Set<String> callingThePolicy) {}

    private static Shape shape(byte[] classFile) {
        Set<String> schema = new TreeSet<>();
        Set<String> calling = new TreeSet<>();
        new ClassReader(classFile)
                .accept(
                        new ClassVisitor(Opcodes.ASM9) {
                            @Override
                            public void visit(
                                    int version,
                                    int access,
                                    String name,
                                    String signature,
                                    String superName,
                                    String[] in) {
                                schema.add(
                                        "class " + access + " " + name + " extends " + superName + " " + List.of(in));
                            }

                            @Override
                            public void visitNestHost(String host) {
                                schema.add("nest host " + host);
                            }

                            @Override
                            public void visitNestMember(String member) {
                                schema.add("nest member " + member);
                            }

                            @Override
                            public FieldVisitor visitField(
                                    int access, String name, String descriptor, String signature, Object value) {
                                schema.add("field " + access + " " + name + descriptor);
                                return null;
                            }

                            @Override
                            public MethodVisitor visitMethod(
                                    int access, String name, String descriptor, String signature, String[] exceptions) {
                                String method = name + descriptor;
                                schema.add("method " + access + " " + method);
                                return new MethodVisitor(Opcodes.ASM9) {
                                    @Override
                                    public void visitMethodInsn(
                                            int opcode, String owner, String called, String desc, boolean isInterface) {
                                        if (owner.equals("dev/storagelab/grader/policy/LabPolicy")) {
                                            calling.add(name);
                                        }
                                    }
                                };
                            }
                        },
                        ClassReader.SKIP_FRAMES);
        return new Shape(schema, calling);
    }

    private static byte[] original(String module, String type) throws IOException {
        ModuleReference m = ModuleFinder.ofSystem().find(module).orElseThrow();
        try (ModuleReader reader = m.open();
                InputStream in = reader.open(type.replace('.', '/') + ".class").orElseThrow()) {
            return in.readAllBytes();
        }
    }

    @Test
    void everyRewrittenClassHasTheSchemaOfTheJdksOwn() throws IOException {
        for (PolicyClassFiles.Rewritten r : rewritten) {
            assertThat(
                    r.type(),
                    shape(r.classFile()).schema(),
                    is(shape(original(r.module(), r.type())).schema()));
        }
    }

    @Test
    void everyEntryPointARuleNamesCallsThePolicy() {
        Map<String, PolicyClassFiles.Rewritten> byType =
                rewritten.stream().collect(Collectors.toMap(PolicyClassFiles.Rewritten::type, r -> r));
        List<String> rewrittenRequired = new ArrayList<>();
        for (PolicyInstaller.Rule rule : PolicyInstaller.rules()) {
            PolicyClassFiles.Rewritten r = byType.get(rule.type());
            if (rule.required()) {
                assertThat(rule.type() + " is rewritten", r == null, is(false));
                assertThat(rule.type(), r.required(), is(true));
                rewrittenRequired.add(rule.type());
            }
            if (r == null) {
                continue;
            }
            Set<String> calling = shape(r.classFile()).callingThePolicy();
            if (rule.required()) { // an optional class may lack the methods: jdk.incubator.foreign's on JDK 17
                assertThat(rule.type() + " calls the policy", calling.isEmpty(), is(false));
            }
            for (PolicyInstaller.Point p : rule.points()) {
                for (String name : p.names()) {
                    assertThat(rule.type(), calling, hasItem(name));
                }
            }
        }
        assertThat(rewrittenRequired, not(is(List.of())));
    }
}
