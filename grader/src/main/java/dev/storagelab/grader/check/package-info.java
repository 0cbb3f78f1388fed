/**
 * A lab's tests as tools: {@code ./storagelab test} runs its public tests per task, and {@code
 * audit} measures how many planted bugs its tests catch.
 */
package dev.storagelab.grader.check;
