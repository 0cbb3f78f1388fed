package dev.storagelab.workbench;

import dev.storagelab.testkit.PackageLayout;
import java.util.List;

/**
 * The workbench's packages by concern, importing one way (README, Layout): each package may use
 * only the packages before it in {@link #ORDER}; the production peers ({@code peers}, compiled under
 * {@code -Ppeers}) stand on the engines and the arena. No package holds more than {@value #MOST}
 * classes (the tests of testkit's {@link PackageLayout}).
 */
class LayoutTest extends PackageLayout {

    /** The workbench's packages from the ground up: a package imports only from those before it. */
    static final List<String> ORDER = List.of(
            "engines", // every engine the workbench opens, by name, and what each says about itself
            "workloads", // the workloads and the runner that times them
            "arena", // engines compared on equal terms
            "peers", // the production peers (RocksDB, LevelDB, H2, LMDB), under -Ppeers
            "shell", // a shell over one open engine
            "viz", // recorded runs and the viewer
            "data", // the recorded data the notes' figures and tables read
            "tables", // the tables the notes quote
            "figures", // the notes' figures, and ./storagelab figures
            "book", // the notes and handouts as a static site
            "cli"); // the workbench's command line

    /** The most top-level classes one package may hold. */
    static final int MOST = 15;

    LayoutTest() {
        super("workbench", "dev.storagelab.workbench", ORDER, MOST);
    }
}
