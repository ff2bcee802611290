package io.customeranalytics.ingest.erasure;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Erasure of one customer. */
@ConfigMapping(prefix = "analytics.erasure")
public interface ErasureConfig {

    /**
     * How long an erasure waits, before it answers, for segmentation-service to remove the customer from the
     * derived data (metrics snapshot, segments, suggestions); it answers {@code derived_data_erased: false} after.
     */
    @WithDefault("30s")
    Duration derivedDataWait();
}
