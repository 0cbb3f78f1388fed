/**
 * The notes and the handouts as a static site: pages in course order, links, the handouts' task
 * pages, and {@code ./storagelab book}, which serves it beside the viewer.
 */
package dev.storagelab.workbench.book;
