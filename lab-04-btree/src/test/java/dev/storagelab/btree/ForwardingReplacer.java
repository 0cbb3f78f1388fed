package dev.storagelab.btree;

/**
 * A {@link Replacer} that hands every call to another: a test overrides the call it wants to
 * change (a replacer that offers a chosen victim, or stops inside {@code evict}).
 */
public class ForwardingReplacer implements Replacer {

    private final Replacer delegate;

    public ForwardingReplacer(Replacer delegate) {
        this.delegate = delegate;
    }

    @Override
    public void recordAccess(int frame) {
        delegate.recordAccess(frame);
    }

    @Override
    public void setEvictable(int frame, boolean evictable) {
        delegate.setEvictable(frame, evictable);
    }

    @Override
    public int evict() {
        return delegate.evict();
    }

    @Override
    public void remove(int frame) {
        delegate.remove(frame);
    }

    @Override
    public int size() {
        return delegate.size();
    }

    @Override
    public int nextVictims(int[] out) {
        return delegate.nextVictims(out);
    }
}
