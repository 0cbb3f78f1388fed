/**
 * A shell over one open engine: type commands, see what the engine does.
 */
package dev.storagelab.workbench.shell;
