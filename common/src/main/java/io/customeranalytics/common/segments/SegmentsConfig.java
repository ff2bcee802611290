package io.customeranalytics.common.segments;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Segment membership timing, the same keys in query-service and segmentation-service. */
@ConfigMapping(prefix = "analytics.segments")
public interface SegmentsConfig {

    /**
     * The oldest membership an answer may be based on. A segment created or changed through the Events API is
     * applied within it; when membership is older (segmentation-service not running), the segment endpoints
     * answer 503 instead of stale data.
     */
    @WithDefault("60s")
    Duration stalenessBound();

    /**
     * How often segmentation-service applies the customers changed since its last refresh (their metrics and
     * their membership of every segment) and the customers the clock moved across a days_since_* threshold.
     */
    @WithDefault("5s")
    Duration refreshInterval();

    /** How often segmentation-service looks for segments created or changed since their last refresh. */
    @WithDefault("2s")
    Duration changePollInterval();

    /**
     * How long segmentation-service waits before it computes again, whole, a segment whose refresh failed (at
     * once when the segment was changed since).
     */
    @WithDefault("30s")
    Duration retryFailedAfter();
}
