package io.customeranalytics.common.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration shared by every service: the same keys work in ingest, query and segmentation.
 * Set them in the environment (or a Kubernetes Secret) rather than in a file that is checked in.
 */
@ConfigMapping(prefix = "analytics")
public interface AnalyticsConfig {

    /** The admin token (scope {@code ADMIN}); env {@code ANALYTICS_ADMIN_TOKEN}. Unset: no admin access. */
    @WithName("admin-token")
    Optional<String> adminToken();

    /** Named scoped tokens: {@code analytics.tokens.<name>.token} and {@code analytics.tokens.<name>.scopes}. */
    Map<String, NamedToken> tokens();

    /** Tinybird JWTs (docs/api.md, "JWTs"). */
    Jwt jwt();

    /** How JWTs are verified. */
    interface Jwt {

        /**
         * The shared secret that signs JWTs (HS256); env {@code ANALYTICS_JWT_SIGNING_KEY}. Unset: the admin
         * token, which is what signs them in Tinybird. Neither set: no JWT is accepted.
         */
        @WithName("signing-key")
        Optional<String> signingKey();
    }

    /** One named token. */
    interface NamedToken {

        /** The secret value a client sends as {@code ?token=} or {@code Authorization: Bearer}. */
        String token();

        /** Comma-separated scopes, e.g. {@code DATASOURCES:APPEND:customer_events,PIPES:READ:customer_activity}. */
        List<String> scopes();

        /** This token's rate limit per service instance, instead of {@code analytics.rate-limit.requests-per-second}. */
        @WithName("requests-per-second")
        Optional<Double> requestsPerSecond();

        /** This token's burst, instead of {@code analytics.rate-limit.burst}. */
        Optional<Integer> burst();
    }
}
