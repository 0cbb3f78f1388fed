/**
 * The second wall inside every JVM that runs lab code: a Java agent whose rules ({@link
 * dev.storagelab.grader.policy.LabPolicy}, the entry points the rewritten JDK calls, and the classes
 * of its judgement it lists) sit on the boot class path. Its classes are copied into the agent's
 * jars by name ({@code PolicyJars}), so they import nothing of the rest of the grader.
 */
package dev.storagelab.grader.policy;
