/**
 * The tables the notes quote, printed from recorded runs: medians, ratios, grading and log
 * summaries ({@code ./storagelab figures NAME-table}).
 */
package dev.storagelab.workbench.tables;
