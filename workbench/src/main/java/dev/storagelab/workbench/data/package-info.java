/**
 * The recorded data under {@code notes/data} as the figures and tables read it (JMH's and the
 * workbench's JSON, CSV files), its numbers as Markdown, and where the workspace is.
 */
package dev.storagelab.workbench.data;
