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
 * A JWT's bucket is its {@code name}'s, as in Tinybird (JWTs that share a name share a limit), at its own {@code
 * limits.rps} (burst: the same number) or else the default. Over the limit a request is a 429 with {@code
 * Retry-After} (whole seconds until a request would pass), counted in {@code
 * analytics_rate_limited_requests_total{token}} (every JWT under {@code token="jwt"}: JWT names are the client's
 * to choose, and one series each would grow without bound). Per service instance: with N replicas behind the
 * Ingress a token may make up to N times the rate in all. Applied by RateLimitFilter, once a request is
 * authenticated.
 */
@ApplicationScoped
public class RateLimiter {

    /** The counter tag of every JWT's refusals. */
    static final String JWT_COUNTER = "jwt";
    private static final String JWT_BUCKET_PREFIX = "jwt:";
    /** Buckets kept before the refilled ones are forgotten. */
    static final int MAX_BUCKETS = 10_000;

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
        tokens.jwt().signingKey().or(tokens::adminToken).ifPresent(key -> counter(JWT_COUNTER));
    }

    /** Takes one request from the caller's bucket, or throws the 429. */
    public void acquire(Caller caller) {
        acquire(caller, System.nanoTime());
    }

    void acquire(Caller caller, long now) {
        if (caller.jwt()) {
            Limit limit = caller.requestsPerSecond()
                    .map(rps -> new Limit(rps, (int) Math.max(1, Math.ceil(rps))))
                    .orElse(defaultLimit);
            acquire(JWT_BUCKET_PREFIX + caller.tokenName(), limit, JWT_COUNTER, caller.described(), now);
        } else {
            acquire(caller.tokenName(), now);
        }
    }

    void acquire(String token, long nowNanos) {
        acquire(token, limits.getOrDefault(token, defaultLimit), token, "the token '" + token + "'", nowNanos);
    }

    private void acquire(String bucket, Limit limit, String counter, String described, long nowNanos) {
        if (limit.perSecond() <= 0) {
            return;
        }
        if (buckets.size() >= MAX_BUCKETS && !buckets.containsKey(bucket)) {
            // JWT names are unbounded: forget the buckets that have refilled, which are as good as new.
            buckets.entrySet().removeIf(entry -> entry.getValue().full(nowNanos));
        }
        long waitNanos = buckets.computeIfAbsent(bucket, name -> new Bucket(limit, nowNanos)).take(limit, nowNanos);
        if (waitNanos > 0) {
            counter(counter).increment();
            int retryAfter = (int) Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
            throw ApiException.rateLimited(described + " is over its rate limit of "
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
        private double capacity;
        private double lastRate;

        Bucket(Limit limit, long nowNanos) {
            this.available = Math.max(1, limit.burst());
            this.updated = nowNanos;
            this.capacity = available;
            this.lastRate = limit.perSecond();
        }

        /** Whether the bucket has refilled to its size since its last request (it would start so anew). */
        synchronized boolean full(long nowNanos) {
            return available + (nowNanos - updated) * lastRate / 1e9 >= capacity;
        }

        /** 0 when a request may pass (and is counted), else nanoseconds until one may. */
        synchronized long take(Limit limit, long nowNanos) {
            capacity = Math.max(1, limit.burst());
            lastRate = limit.perSecond();
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
