package dev.storagelab.hybrid.tier;

/** PLACEHOLDER: the tiers helper replaces this file (T7). */
public final class TieredStorage {
}
