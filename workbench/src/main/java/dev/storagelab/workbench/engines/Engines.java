package dev.storagelab.workbench.engines;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/** Every engine this build can open: the workspace's own, then any registered peers. */
public final class Engines {

    private Engines() {}

    /**
     * The workspace's engines, then the peers found by {@link ServiceLoader}. A peer whose class
     * or library is not on the classpath is left out: a default build after a {@code -Ppeers}
     * build still finds the peers' registration in {@code target/classes}, but not RocksDB.
     */
    public static List<EngineFactory> all() {
        List<EngineFactory> all = new ArrayList<>(List.of(Engine.values()));
        Iterator<EngineFactory> peers = ServiceLoader.load(EngineFactory.class).iterator();
        for (int failures = 0; failures < 100; ) {
            try {
                if (!peers.hasNext()) {
                    break;
                }
                all.add(peers.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                failures++; // the iterator has moved past the provider it could not load
            }
        }
        return all;
    }

    /** The names of {@link #all()}. */
    public static List<String> ids() {
        return all().stream().map(EngineFactory::id).toList();
    }

    /** The engine named {@code id}; the message lists the names there are. */
    public static EngineFactory byId(String id) {
        for (EngineFactory e : all()) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("no engine named '" + id + "'; the engines are " + ids()
                + (Engine.PEERS.contains(id)
                        ? " (the production peers are built with: mvn -Ppeers -pl workbench -am package)"
                        : ""));
    }
}
