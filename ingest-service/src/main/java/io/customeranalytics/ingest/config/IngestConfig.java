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
}
