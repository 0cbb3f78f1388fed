/**
 * What a JVM that runs lab code loads of the grader, and nothing more: the hidden tests' runner,
 * its hang watch, and the CPU-time profiler JMH loads by name. The sandbox copies this package whole
 * onto those JVMs' class path ({@code RunnerClasses}), so it imports nothing of the rest of the grader.
 */
package dev.storagelab.grader.runner;
