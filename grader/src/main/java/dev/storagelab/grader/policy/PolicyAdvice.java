package dev.storagelab.grader.policy;

import java.io.File;
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

    /** A method of {@code java.io.File}. */
    static final class FileMethod {
        @Advice.OnMethodEnter
        static void enter(
                @Advice.This File self, @Advice.Origin("#m") String method, @Advice.AllArguments Object[] args) {
            LabPolicy.file(self, method, args);
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

    /** {@code setAccessible(flag)}, {@code setAccessible(array, flag)}, {@code trySetAccessible()}. */
    static final class Accessible {
        @Advice.OnMethodEnter
        static void enter(@Advice.AllArguments Object[] args) {
            LabPolicy.suppressAccessChecks(args.length == 0 || Boolean.TRUE.equals(args[args.length - 1]));
        }
    }

    /** {@code MethodHandles.privateLookupIn}. */
    static final class PrivateLookup {
        @Advice.OnMethodEnter
        static void enter() {
            LabPolicy.suppressAccessChecks(true);
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
