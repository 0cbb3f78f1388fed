/**
 * The second wall inside every JVM that runs lab code: a Java agent whose rules ({@link
 * dev.storagelab.grader.policy.LabPolicy}) sit on the boot class path. Its classes are copied into
 * the agent's jars by package ({@code PolicyJars}), so they import nothing of the rest of the grader.
 */
package dev.storagelab.grader.policy;
