package dev.storagelab.workbench.data;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The workspace the workbench runs in: given, or the one its jar was built in, or the one the current folder is in. */
public final class Workspaces {

    private Workspaces() {}

    public static Path root(Path given) {
        if (given != null) {
            Path p = given.toAbsolutePath().normalize();
            if (!isWorkspace(p)) {
                throw new IllegalArgumentException(given + " is not a storagelab workspace (it has no notes/ folder)");
            }
            return p;
        }
        try {
            // workbench/target/storagelab-workbench.jar (or workbench/target/classes)
            Path code = Path.of(Workspaces.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            Path root = code.getParent() == null ? null : code.getParent().getParent();
            root = root == null ? null : root.getParent();
            if (root != null && isWorkspace(root)) {
                return root;
            }
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall back on the current folder
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (isWorkspace(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                "not inside a storagelab workspace; run from the workspace or pass --workspace");
    }

    private static boolean isWorkspace(Path p) {
        return Files.isDirectory(p.resolve("notes")) && Files.isRegularFile(p.resolve("pom.xml"));
    }
}
