/**
 * {@code ./storagelab}: the commands, their options and usage errors. The top floor: it may use every
 * other package, and none uses it.
 */
package dev.storagelab.grader.cli;
