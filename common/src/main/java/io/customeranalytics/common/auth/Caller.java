package io.customeranalytics.common.auth;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who sent a request: the name of the token it carried (its configured name, or a JWT's {@code name} claim; never
 * the token itself), that token's scopes, and what a JWT adds: the parameters it fixes per pipe and its own rate.
 *
 * @param tokenName the configured name, or the JWT's {@code name}
 * @param scopes the scopes, as written in Tinybird's documentation ({@code PIPES:READ:customer_activity})
 * @param jwt whether the token was a JWT (its rate limit is then its own {@code limits.rps}, by name)
 * @param fixedParams per pipe, the parameters the JWT fixes: they replace whatever the request sends
 * @param requestsPerSecond a JWT's {@code limits.rps}, if it has one
 */
public record Caller(String tokenName, Set<String> scopes, boolean jwt, Map<String, Map<String, String>> fixedParams,
                     Optional<Double> requestsPerSecond) {

    /** The name the admin token ({@code analytics.admin-token}) goes by in messages and metrics. */
    public static final String ADMIN_TOKEN_NAME = "admin";

    /** The key of the {@code SecurityIdentity} attribute that holds the caller. */
    public static final String ATTRIBUTE = "analytics.caller";

    public Caller {
        scopes = Set.copyOf(scopes);
        fixedParams = Map.copyOf(fixedParams);
    }

    /** A configured token: its scopes only. */
    public static Caller token(String name, Set<String> scopes) {
        return new Caller(name, scopes, false, Map.of(), Optional.empty());
    }

    public boolean has(String scope) {
        return scopes.contains(Scope.ADMIN) || scopes.contains(scope);
    }

    /** The parameters this caller's token fixes for a pipe (none for a configured token). */
    public Map<String, String> fixedParams(String pipe) {
        return fixedParams.getOrDefault(pipe, Map.of());
    }

    /** "the token 'x'" or "the JWT 'x'", for messages. */
    public String described() {
        return (jwt ? "the JWT '" : "the token '") + tokenName + "'";
    }
}
