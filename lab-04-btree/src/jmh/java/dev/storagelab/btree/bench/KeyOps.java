package dev.storagelab.btree.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Keys stored or operations done, counted as JMH operations: JMH reports {@code keyOps} as the
 * time per key (a fill, a build) or per operation (a get, a seek and scan), whatever one
 * invocation does.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class KeyOps {
    public long keyOps;
}
