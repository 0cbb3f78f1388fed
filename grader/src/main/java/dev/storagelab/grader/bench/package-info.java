/**
 * {@code ./storagelab bench}: the labs' JMH suites on the reference and a submission, the
 * workloads on every engine beside the production peers, and the workbench run in a child JVM.
 */
package dev.storagelab.grader.bench;
