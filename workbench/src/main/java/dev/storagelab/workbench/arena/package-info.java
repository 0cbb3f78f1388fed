/**
 * The arena: engines held to one memory budget and one durability on the same device, run on the
 * same workloads one after the other, and its sweep over skew, read share and hot-set size.
 */
package dev.storagelab.workbench.arena;
