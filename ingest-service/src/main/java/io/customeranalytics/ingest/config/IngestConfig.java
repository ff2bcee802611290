package io.customeranalytics.ingest.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the Events API. */
@ConfigMapping(prefix = "analytics.ingest")
public interface IngestConfig {

    /** Most bytes a request body may have as sent (compressed or not); larger is a 413 and nothing is stored. */
    @WithDefault("10485760")
    long maxBodyBytes();

    /** Most bytes a gzip body may inflate to; larger is a 413 and nothing is stored. */
    @WithDefault("104857600")
    long maxDecompressedBytes();

    /**
     * Group commit of small event requests: how many group statements may be in flight at once; requests that
     * arrive while they all are wait and go together in the next one. 0 writes every request on its own.
     */
    @WithDefault("4")
    int groupCommitStatements();

    /** Largest event request (in valid rows) that goes through group commit, and the most rows of one group. */
    @WithDefault("1000")
    int groupCommitMaxRows();

    /**
     * Most event rows that may wait for a group statement; a request that would go over is refused with a 503 and
     * {@code Retry-After}, nothing of it stored, so that a burst cannot grow the heap without bound.
     */
    @WithDefault("20000")
    int groupCommitMaxQueuedRows();
}
