package dev.storagelab.grader.sandbox;

import com.sun.tools.attach.VirtualMachine;

/**
 * A test JVM that attaches to itself, as Lincheck's agent does when a model-checking test starts:
 * the JVM then listens on its attach socket, {@code /tmp/.java_pid<pid>} (HotSpot puts it in
 * {@code /tmp}, whatever {@code java.io.tmpdir} says), which only a JVM that exits removes. Prints
 * {@code attached <pid>}, then waits to be killed. Run with {@code -Djdk.attach.allowAttachSelf=true}.
 */
public final class SelfAttachingJvm {

    private SelfAttachingJvm() {}

    public static void main(String[] args) throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        VirtualMachine.attach(pid).detach();
        System.out.println("attached " + pid);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
