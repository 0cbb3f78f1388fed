/**
 * The workbench's command line ({@code workload}, {@code shell}, {@code arena}, {@code viz},
 * {@code book}, {@code figures}, ...), which the grader's verbs of the same names run in a child JVM.
 * The top floor: it may use every other package, and none uses it.
 */
package dev.storagelab.workbench.cli;
