package dev.storagelab.grader.policy;

import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * The in-JVM policy's agent, named on the command line of every JVM that runs lab code
 * ({@code -javaagent:storagelab-policy-agent.jar}), so that it is in force before the first class
 * of the submission loads. Its jar's manifest puts {@link LabPolicy} on the boot class path; this
 * class loads the installer and Byte Buddy from the installer jar beside it, in a class loader of
 * their own, and lets it rewrite the JDK ({@link PolicyInstaller}). Whatever goes wrong here stops
 * the JVM: the JVM does not start without its policy. The grader writes the jars ({@link
 * PolicyJars}).
 */
public final class PolicyAgent {

    private PolicyAgent() {}

    /** The JVM calls this before {@code main}. */
    public static void premain(String args, Instrumentation instrumentation) throws Exception {
        if (LabPolicy.inForce()) {
            // Named twice, as in a JMH fork (once by JDK_JAVA_OPTIONS, once among the flags JMH passes
            // on from its own JVM): the first put the whole policy in place, or the JVM did not start.
            return;
        }
        Path jar = Path.of(PolicyAgent.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        URL installer = jar.resolveSibling(PolicyJars.INSTALLER).toUri().toURL();
        // Kept open for the life of the JVM: the installer's transformer rewrites classes that load later.
        @SuppressWarnings("resource")
        URLClassLoader loader = new URLClassLoader(new URL[] {installer}, ClassLoader.getPlatformClassLoader());
        loader.loadClass("dev.storagelab.grader.policy.PolicyInstaller") // not on this class's class path
                .getMethod("install", Instrumentation.class)
                .invoke(null, instrumentation);
    }
}
