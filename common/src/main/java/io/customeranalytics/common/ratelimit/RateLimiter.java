package io.customeranalytics.common.ratelimit;

import io.customeranalytics.common.auth.Caller;
import io.customeranalytics.common.config.AnalyticsConfig;
import io.customeranalytics.common.error.ApiException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per token (by its configured name): {@code requests-per-second} sustained, {@code burst} at once.
 * Over the limit a request is a 429 with {@code Retry-After} (whole seconds until a request would pass), counted
 * in {@code analytics_rate_limited_requests_total{token}}. Per service instance: with N replicas behind the
 * Ingress a token may make up to N times the rate in all.
 */
@ApplicationScoped
public class RateLimiter {

    private final Map<String, Limit> limits = new ConcurrentHashMap<>();
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Limit defaultLimit;
    private final MeterRegistry registry;

    public RateLimiter(RateLimitConfig config, AnalyticsConfig tokens, MeterRegistry registry) {
        this.defaultLimit = new Limit(config.requestsPerSecond(), config.burst());
        this.registry = registry;
        tokens.tokens().forEach((name, token) -> limits.put(name, new Limit(
                token.requestsPerSecond().orElse(defaultLimit.perSecond()),
                token.burst().orElse(defaultLimit.burst()))));
        // Every configured token's counter exists from the start, so a scrape shows zeros rather than nothing.
        tokens.adminToken().ifPresent(admin -> counter(Caller.ADMIN_TOKEN_NAME));
        tokens.tokens().keySet().forEach(this::counter);
    }

    /** Takes one request from the caller's bucket, or throws the 429. */
    public void acquire(Caller caller) {
        acquire(caller.tokenName(), System.nanoTime());
    }

    void acquire(String token, long nowNanos) {
        Limit limit = limits.getOrDefault(token, defaultLimit);
        if (limit.perSecond() <= 0) {
            return;
        }
        long waitNanos = buckets.computeIfAbsent(token, name -> new Bucket(limit, nowNanos)).take(limit, nowNanos);
        if (waitNanos > 0) {
            counter(token).increment();
            int retryAfter = (int) Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            throw ApiException.rateLimited("the token '" + token + "' is over its rate limit of "
                    + format(limit.perSecond()) + " requests per second (burst " + limit.burst()
                    + "); retry after " + retryAfter + " s", retryAfter);
        }
    }

    private Counter counter(String token) {
        return rejected.computeIfAbsent(token, name -> Counter.builder("analytics_rate_limited_requests")
                .description("Requests answered 429 because their token was over its rate limit")
                .tag("token", name)
                .register(registry));
    }

    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    record Limit(double perSecond, int burst) {
    }

    /** Tokens refill continuously at the limit's rate up to its burst. */
    static final class Bucket {

        private double available;
        private long updated;

        Bucket(Limit limit, long nowNanos) {
            this.available = Math.max(1, limit.burst());
            this.updated = nowNanos;
        }

        /** 0 when a request may pass (and is counted), else nanoseconds until one may. */
        synchronized long take(Limit limit, long nowNanos) {
            double capacity = Math.max(1, limit.burst());
            available = Math.min(capacity, available + (nowNanos - updated) * limit.perSecond() / 1e9);
            updated = nowNanos;
            if (available >= 1) {
                available -= 1;
                return 0;
            }
            return (long) Math.ceil((1 - available) / limit.perSecond() * 1e9);
        }
    }
}
