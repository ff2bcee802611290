package io.customeranalytics.common.auth;

import io.customeranalytics.common.config.AnalyticsConfig;
import io.customeranalytics.common.error.ApiException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Permission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns the token that {@link TokenMechanism} read into a {@link SecurityIdentity}: a configured token (the admin
 * token or a named scoped one), else a Tinybird JWT ({@link TinybirdJwts}). The identity's principal is the
 * token's name, its {@link Caller#ATTRIBUTE} the {@link Caller}, and its permission check grants a {@link
 * ScopePermission} when the token has that scope or ADMIN.
 *
 * <p>Configured tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, and every configured
 * token is compared on every call, so neither the length nor the position of a match shows in the timing. Neither
 * the token nor its digest is ever logged or put in a message.
 */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private final List<KnownToken> known;
    private final TinybirdJwts jwts;

    public TokenIdentityProvider(AnalyticsConfig config) {
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
        this.jwts = new TinybirdJwts(config.jwt().signingKey().or(config::adminToken));
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request,
                                              AuthenticationRequestContext context) {
        // Digests and an HMAC: no I/O, so no need for a worker thread.
        return Uni.createFrom().item(() -> identity(caller(request.getToken().getToken())))
                .onFailure(TokenRejectedException.class)
                .transform(rejected -> new AuthenticationFailedException(rejected.getMessage(), rejected));
    }

    /**
     * The caller a presented token stands for.
     *
     * @throws TokenRejectedException an unknown token, or a JWT that is not accepted (the message says why)
     */
    Caller caller(String presented) {
        byte[] presentedDigest = digest(presented);
        KnownToken match = null;
        for (KnownToken candidate : known) {
            // No early exit: every configured token is compared.
            if (MessageDigest.isEqual(candidate.digest(), presentedDigest) && match == null) {
                match = candidate;
            }
        }
        if (match != null) {
            return Caller.token(match.name(), match.scopes());
        }
        if (TinybirdJwts.looksLikeJwt(presented)) {
            return jwts.verify(presented);
        }
        throw new TokenRejectedException(TokenRejectedException.UNKNOWN);
    }

    static SecurityIdentity identity(Caller caller) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(caller.tokenName()))
                .addAttribute(Caller.ATTRIBUTE, caller)
                .addPermissionChecker(required -> Uni.createFrom().item(() -> granted(caller, required)))
                .build();
    }

    /**
     * Whether the caller holds a required permission. A {@link ScopePermission} it lacks is refused with the 403
     * that names the scope (insufficient scope), rather than with Quarkus' message-less ForbiddenException.
     */
    static boolean granted(Caller caller, Permission required) {
        if (!(required instanceof ScopePermission permission)) {
            return false;
        }
        String scope = permission.scope().orElse(null);
        if (scope == null || caller.has(scope)) {
            return true;
        }
        throw ApiException.forbidden(caller.described() + " does not have the scope " + scope
                + " (insufficient scope)");
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
