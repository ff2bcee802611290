package io.customeranalytics.common.ratelimit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Rate limits of the {@code /v0} endpoints, per token and per service instance (docs/api.md, "Rate limits"). */
@ConfigMapping(prefix = "analytics.rate-limit")
public interface RateLimitConfig {

    /** Sustained requests per second a token may make to one instance; 0 turns rate limiting off. */
    @WithDefault("1000")
    double requestsPerSecond();

    /** Requests a token may make at once above the sustained rate (the bucket's size). */
    @WithDefault("2000")
    int burst();
}
