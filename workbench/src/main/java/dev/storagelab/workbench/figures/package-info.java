/**
 * The notes' figures, one family a lab, drawn from their recorded data with XChart
 * ({@code ./storagelab figures}), which also prints the tables beside them.
 */
package dev.storagelab.workbench.figures;
