/**
 * The workloads (db_bench-style, YCSB, e-commerce, the bank) as seeded generators of operations,
 * the runner that times each on an open engine, and the compaction simulator.
 */
package dev.storagelab.workbench.workloads;
