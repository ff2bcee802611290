package io.customeranalytics.common.ratelimit;

import io.customeranalytics.common.auth.Caller;
import io.customeranalytics.common.config.AnalyticsConfig;
import io.customeranalytics.common.error.ApiException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void letsABurstThroughThenRefillsAtTheRate() {
        RateLimiter limiter = limiter(2, 3, Map.of());
        for (int i = 0; i < 3; i++) {
            limiter.acquire("admin", 0);
        }
        ApiException over = assertThrows(ApiException.class, () -> limiter.acquire("admin", 0));
        assertEquals(429, over.status());
        assertEquals(1, over.retryAfterSeconds(), "half a second to the next request, rounded up");
        assertTrue(over.clientMessage().contains("'admin'") && over.clientMessage().contains("2 requests per second"),
                over.clientMessage());
        assertDoesNotThrow(() -> limiter.acquire("admin", SECOND / 2), "one refilled after 0.5 s at 2/s");
        assertThrows(ApiException.class, () -> limiter.acquire("admin", SECOND / 2));
        // Long idle refills to the burst, never beyond it.
        for (int i = 0; i < 3; i++) {
            limiter.acquire("admin", 100 * SECOND);
        }
        assertThrows(ApiException.class, () -> limiter.acquire("admin", 100 * SECOND));
    }

    @Test
    void eachTokenHasItsOwnBucketAndMayHaveItsOwnLimit() {
        RateLimiter limiter = limiter(1000, 1, Map.of("dashboard", token(0.1, 1)));
        limiter.acquire("dashboard", 0);
        ApiException over = assertThrows(ApiException.class, () -> limiter.acquire("dashboard", SECOND));
        assertEquals(9, over.retryAfterSeconds(), "0.1/s: the next request 9 s after the first second");
        limiter.acquire("admin", SECOND);
        assertDoesNotThrow(() -> limiter.acquire("dashboard", 10 * SECOND));
    }

    @Test
    void zeroTurnsItOff() {
        RateLimiter limiter = limiter(0, 1, Map.of());
        for (int i = 0; i < 10_000; i++) {
            limiter.acquire("admin", 0);
        }
    }

    @Test
    void countsRejectedRequestsPerToken() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RateLimiter limiter = new RateLimiter(config(1, 1), tokens(Map.of()), registry);
        assertEquals(0.0, registry.get("analytics_rate_limited_requests").tag("token", "admin").counter().count(),
                "registered before any refusal");
        limiter.acquire("admin", 0);
        assertThrows(ApiException.class, () -> limiter.acquire("admin", 0));
        assertThrows(ApiException.class, () -> limiter.acquire("admin", 0));
        assertEquals(2.0, registry.get("analytics_rate_limited_requests").tag("token", "admin").counter().count());
    }

    @Test
    void aJwtHasTheBucketOfItsNameAtItsOwnRps() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RateLimiter limiter = new RateLimiter(config(1000, 1000), tokens(Map.of()), registry);
        Caller first = jwt("user_1", 2.0);
        limiter.acquire(first, 0);
        limiter.acquire(first, 0);
        ApiException over = assertThrows(ApiException.class, () -> limiter.acquire(first, 0));
        assertTrue(over.clientMessage().contains("the JWT 'user_1'")
                && over.clientMessage().contains("2 requests per second"), over.clientMessage());
        // Another JWT of the same name shares the bucket, as in Tinybird; another name has its own.
        assertThrows(ApiException.class, () -> limiter.acquire(jwt("user_1", 2.0), 0));
        assertDoesNotThrow(() -> limiter.acquire(jwt("user_2", 2.0), 0));
        // A configured token of that name is another bucket.
        assertDoesNotThrow(() -> limiter.acquire("user_1", 0));
        assertDoesNotThrow(() -> limiter.acquire(first, SECOND / 2), "refilled at 2/s");
        assertEquals(2.0, registry.get("analytics_rate_limited_requests").tag("token", "jwt").counter().count(),
                "every JWT under one series");
    }

    @Test
    void aJwtWithoutLimitsHasTheDefaultLimit() {
        RateLimiter limiter = limiter(1, 1, Map.of());
        Caller unlimited = new Caller("browser", Set.of(), true, Map.of(), Optional.empty());
        limiter.acquire(unlimited, 0);
        assertThrows(ApiException.class, () -> limiter.acquire(unlimited, 0));
    }

    @Test
    void refilledBucketsAreForgottenOnceThereAreManyJwtNames() {
        RateLimiter limiter = limiter(1000, 1000, Map.of());
        for (int i = 0; i < RateLimiter.MAX_BUCKETS + 10; i++) {
            limiter.acquire(jwt("name-" + i, 1.0), 0);
        }
        // name-0 was forgotten once its bucket had refilled (1 s at 1/s), so it starts full again; a name still
        // empty within the second is remembered and refused.
        limiter.acquire(jwt("fresh", 1.0), 2 * SECOND);
        assertDoesNotThrow(() -> limiter.acquire(jwt("name-0", 1.0), 2 * SECOND));
        assertThrows(ApiException.class, () -> limiter.acquire(jwt("fresh", 1.0), 2 * SECOND));
    }

    private static Caller jwt(String name, double rps) {
        return new Caller(name, Set.of("PIPES:READ:customer_activity"), true, Map.of(), Optional.of(rps));
    }

    private static RateLimiter limiter(double perSecond, int burst, Map<String, AnalyticsConfig.NamedToken> named) {
        return new RateLimiter(config(perSecond, burst), tokens(named), new SimpleMeterRegistry());
    }

    private static RateLimitConfig config(double perSecond, int burst) {
        return new RateLimitConfig() {
            @Override
            public double requestsPerSecond() {
                return perSecond;
            }

            @Override
            public int burst() {
                return burst;
            }
        };
    }

    private static AnalyticsConfig tokens(Map<String, AnalyticsConfig.NamedToken> named) {
        return new AnalyticsConfig() {
            @Override
            public Optional<String> adminToken() {
                return Optional.of("secret");
            }

            @Override
            public Map<String, NamedToken> tokens() {
                return named;
            }

            @Override
            public Jwt jwt() {
                return Optional::empty;
            }
        };
    }

    private static AnalyticsConfig.NamedToken token(double perSecond, int burst) {
        return new AnalyticsConfig.NamedToken() {
            @Override
            public String token() {
                return "t";
            }

            @Override
            public List<String> scopes() {
                return List.of("ADMIN");
            }

            @Override
            public Optional<Double> requestsPerSecond() {
                return Optional.of(perSecond);
            }

            @Override
            public Optional<Integer> burst() {
                return Optional.of(burst);
            }
        };
    }
}
