package dev.storagelab.grader.policy;

import net.bytebuddy.asm.Advice;

/**
 * The code the agent puts at the top of the JDK's entry points ({@link PolicyInstaller}): Byte
 * Buddy copies each {@code enter} method's body into the methods it is applied to, so what runs
 * there is a call of {@link LabPolicy}, on the boot class path, and nothing of this class.
 */
final class PolicyAdvice {

    private PolicyAdvice() {}

    /** {@code FileInputStream.open(name)}: a read. */
    static final class OpenToRead {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String name) {
            LabPolicy.open(name, false);
        }
    }

    /** {@code FileOutputStream.open(name, append)}: a write. */
    static final class OpenToWrite {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String name) {
            LabPolicy.open(name, true);
        }
    }

    /** {@code RandomAccessFile.open(name, mode)}: a write when the mode has {@code RandomAccessFile.O_RDWR} (2). */
    static final class OpenRandomAccess {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String name, @Advice.Argument(1) int mode) {
            LabPolicy.open(name, (mode & 2) != 0);
        }
    }

    /**
     * A method of {@code java.io.File}: its {@code path} field, which the file system's native code
     * reads, never what {@code getPath} of a subclass says.
     */
    static final class FileMethod {
        @Advice.OnMethodEnter
        static void enter(
                @Advice.FieldValue("path") String path,
                @Advice.Origin("#m") String method,
                @Advice.AllArguments Object[] args) {
            LabPolicy.file(path, method, args);
        }
    }

    /** A call of {@code sun.nio.fs.UnixNativeDispatcher} (or Linux's), through which {@code java.nio.file} goes. */
    static final class UnixCall {
        @Advice.OnMethodEnter
        static void enter(@Advice.Origin("#m") String method, @Advice.AllArguments Object[] args) {
            LabPolicy.unixCall(method, args);
        }
    }

    /** What lab code may never call. */
    static final class Refused {
        @Advice.OnMethodEnter
        static void enter(@Advice.Origin("#t.#m") String where) {
            LabPolicy.call(where);
        }
    }

    /** {@code System.getProperty(key)}, {@code System.getProperty(key, default)}. */
    static final class Property {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String key) {
            LabPolicy.readProperty(key);
        }
    }

    /** {@code System.getProperties()}. */
    static final class AllProperties {
        @Advice.OnMethodEnter
        static void enter() {
            LabPolicy.readProperty(null);
        }
    }

    /** {@code System.getenv(name)}. */
    static final class Variable {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) String name) {
            LabPolicy.readEnvironment(name);
        }
    }

    /** {@code System.getenv()}. */
    static final class Environment {
        @Advice.OnMethodEnter
        static void enter() {
            LabPolicy.readEnvironment(null);
        }
    }

    /** {@code setAccessible(flag)}, {@code setAccessible(array, flag)} (static: no {@code this}), {@code trySetAccessible()}. */
    static final class Accessible {
        @Advice.OnMethodEnter
        static void enter(@Advice.This(optional = true) Object self, @Advice.AllArguments Object[] args) {
            LabPolicy.suppressAccessChecks(self, args);
        }
    }

    /** {@code MethodHandles.privateLookupIn(target, caller)}. */
    static final class PrivateLookup {
        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Class<?> target) {
            LabPolicy.privateLookup(target);
        }
    }

    /** The end of a constructor of {@code Thread}: a thread made. */
    static final class ThreadMade {
        @Advice.OnMethodExit
        static void exit(@Advice.This Thread self) {
            LabPolicy.thread(self);
        }
    }

    /** {@code Thread.start()}. */
    static final class ThreadStarts {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Thread self) {
            LabPolicy.thread(self);
        }
    }

    /** {@code Thread.setUncaughtExceptionHandler(handler)}. */
    static final class HandlerSet {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Thread self) {
            LabPolicy.uncaughtHandler(self);
        }
    }

    /** {@code Thread.dispatchUncaughtException(e)}, which the JVM calls as a thread ends by an exception. */
    static final class Uncaught {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Thread self) {
            LabPolicy.uncaught(self);
        }
    }

    /** Work given to a {@code ForkJoinPool}: {@code execute}, {@code submit}, {@code invoke} and their kin. */
    static final class PoolWork {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object pool) {
            LabPolicy.poolWork(pool);
        }
    }

    /** {@code ForkJoinTask.fork()}: outside a pool, work given to the common pool. */
    static final class Fork {
        @Advice.OnMethodEnter
        static void enter() {
            LabPolicy.poolWork(null);
        }
    }

    /** A constructor of {@code ClassLoader}. */
    static final class NewClassLoader {
        @Advice.OnMethodEnter
        static void enter() {
            LabPolicy.classLoader();
        }
    }
}
