package io.customeranalytics.common.auth;

import io.customeranalytics.common.config.AnalyticsConfig;
import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.ratelimit.RateLimiter;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks the token of a request against the configured admin token and named scoped tokens.
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, and every configured token is
 * compared on every call, so neither the length nor the position of a match shows in the timing. Neither the
 * token nor its digest is ever logged or put in a message.
 */
@ApplicationScoped
public class TokenAuthenticator {

    private final List<KnownToken> known;
    private final RateLimiter rateLimiter;

    public TokenAuthenticator(AnalyticsConfig config, RateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
        List<KnownToken> tokens = new ArrayList<>();
        config.adminToken()
                .filter(token -> !token.isBlank())
                .ifPresent(token -> tokens.add(new KnownToken(Caller.ADMIN_TOKEN_NAME, digest(token),
                        Set.of(Scope.ADMIN))));
        for (Map.Entry<String, AnalyticsConfig.NamedToken> entry : config.tokens().entrySet()) {
            Set<String> scopes = entry.getValue().scopes().stream()
                    .map(String::trim)
                    .filter(scope -> !scope.isEmpty())
                    .collect(Collectors.toUnmodifiableSet());
            tokens.add(new KnownToken(entry.getKey(), digest(entry.getValue().token()), scopes));
        }
        this.known = List.copyOf(tokens);
    }

    /**
     * Checks that an authenticated caller's token grants {@code scope} (ADMIN grants every scope).
     *
     * @throws ApiException 403 saying the scope is insufficient, naming the token by its configured name only
     */
    public void requireScope(Caller caller, String scope) {
        if (!caller.has(scope)) {
            throw ApiException.forbidden("the token '" + caller.tokenName() + "' does not have the scope " + scope
                    + " (insufficient scope)");
        }
    }

    /**
     * Finds the caller of a request and counts the request against its token's rate limit. The {@code token}
     * query parameter wins over an {@code Authorization: Bearer} header when both are present.
     *
     * @throws ApiException 403 for a missing or unknown token, 429 for a token over its rate limit
     */
    public Caller authenticate(HttpServerRequest request) {
        String presented = presentedToken(request);
        if (presented == null) {
            throw ApiException.forbidden("missing token: send it as ?token=... or as an 'Authorization: Bearer ...'"
                    + " header");
        }
        byte[] presentedDigest = digest(presented);
        KnownToken match = null;
        for (KnownToken candidate : known) {
            // No early exit: every configured token is compared.
            if (MessageDigest.isEqual(candidate.digest(), presentedDigest) && match == null) {
                match = candidate;
            }
        }
        if (match == null) {
            throw ApiException.forbidden("unknown token: it matches no configured token");
        }
        Caller caller = new Caller(match.name(), match.scopes());
        rateLimiter.acquire(caller);
        return caller;
    }

    static String presentedToken(HttpServerRequest request) {
        String query = request.getParam("token");
        if (query != null && !query.isEmpty()) {
            return query;
        }
        String header = request.getHeader("Authorization");
        if (header == null) {
            return null;
        }
        header = header.trim();
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        return null;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private record KnownToken(String name, byte[] digest, Set<String> scopes) {
    }
}
