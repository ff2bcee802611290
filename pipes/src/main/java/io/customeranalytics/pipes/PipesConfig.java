package io.customeranalytics.pipes;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;

/** Bounds of every pipe answer, the same keys in query-service and segmentation-service. */
@ConfigMapping(prefix = "analytics.pipes")
public interface PipesConfig {

    /**
     * The largest answer, counted as the bytes of its values (text as UTF-8); a larger one is a 400 that says how
     * many rows fit. Bounds the service's memory per request, not only the row count.
     */
    @WithDefault("33554432")
    long maxAnswerBytes();

    /**
     * The bytes of values that all answers in flight of one service instance may hold together; a request that
     * would go over is a 503 with {@code Retry-After: 1}. An answer larger than this is served when it is alone.
     */
    @WithDefault("67108864")
    long maxAnswerBytesInFlight();

    /**
     * How long one query of a pipe may run; then it is cancelled in the database and the request answers 503.
     * A query whose client has gone is cancelled at once.
     */
    @WithDefault("30s")
    Duration statementTimeout();

    /** Per endpoint, instead of {@link #statementTimeout()}: {@code analytics.pipes.statement-timeouts.<endpoint>}. */
    Map<String, Duration> statementTimeouts();

    default Duration statementTimeout(String endpoint) {
        return statementTimeouts().getOrDefault(endpoint, statementTimeout());
    }
}
