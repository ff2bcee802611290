package io.customeranalytics.common.auth;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Tinybird's JWTs, as its documentation ("JSON Web tokens") and its SDK's {@code createJWT} make them: HS256,
 * signed with a shared secret, payload {@code name}, {@code exp}, {@code scopes} (each {@code type},
 * {@code resource} and, for {@code PIPES:READ}, optional {@code fixed_params}) and optional {@code limits.rps}.
 *
 * <p>The signature, the algorithm (HS256 only: {@code alg: none} and every other is refused) and the expiry are
 * checked by SmallRye JWT's parser (jose4j underneath); this class only reads the verified claims into a {@link
 * Caller}. A claim this service cannot honour refuses the whole token rather than granting more than it says: a
 * {@code DATASOURCES:READ} scope with a row {@code filter}, an unknown scope type, a fixed parameter that is not a
 * string, number or boolean.
 */
final class TinybirdJwts {

    private static final String PIPES_READ = "PIPES:READ";
    private static final String DATASOURCES_READ = "DATASOURCES:READ";

    private final Optional<SecretKey> key;
    private final DefaultJWTParser parser;

    /** @param signingKey the shared secret; empty: no JWT is accepted */
    TinybirdJwts(Optional<String> signingKey) {
        this.key = signingKey.filter(secret -> !secret.isBlank())
                .map(secret -> new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        JWTAuthContextInfo context = new JWTAuthContextInfo();
        context.setSignatureAlgorithm(Set.of(SignatureAlgorithm.HS256));
        // A Tinybird JWT has a name claim, not sub or upn.
        context.setRequireNamedPrincipal(false);
        // The admin token signs JWTs, as in Tinybird, and may be shorter than HS256's 256-bit key.
        context.setRelaxVerificationKeyValidation(true);
        // Tinybird's JWTs need not carry iat; 0 turns off SmallRye's lifetime check, which requires it (exp is
        // required whatever this says).
        context.setMaxTimeToLiveSecs(0L);
        // An expired JWT is refused at once.
        context.setClockSkew(0);
        this.parser = new DefaultJWTParser(context);
    }

    /** Whether a token has the shape of a JWT (three dot-separated parts); only such tokens are verified. */
    static boolean looksLikeJwt(String token) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        return second > 0 && token.indexOf('.', second + 1) < 0;
    }

    /**
     * The caller a JWT stands for.
     *
     * @throws TokenRejectedException with the 403's message: no signing key, a signature that does not verify,
     *                                another algorithm, expired, malformed, or claims this service cannot honour
     */
    Caller verify(String token) {
        if (key.isEmpty()) {
            throw new TokenRejectedException("unknown token: it matches no configured token, and this service"
                    + " accepts no JWT (no signing key is configured)");
        }
        JsonWebToken jwt;
        try {
            jwt = parser.verify(token, key.get());
        } catch (ParseException e) {
            throw new TokenRejectedException(refusal(e), e);
        }
        return caller(jwt);
    }

    private static String refusal(ParseException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof InvalidJwtException invalid) {
                if (invalid.hasExpired()) {
                    return "expired token: the JWT's exp has passed; ask for a new one";
                }
                if (invalid.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
                    return "unknown token: a JWT whose signature does not verify with the signing key";
                }
                if (invalid.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
                    return "unknown token: a JWT without exp; Tinybird's JWTs always expire";
                }
            }
        }
        return "unknown token: it matches no configured token and is not a JWT this service accepts"
                + " (HS256, signed with the signing key, with name, exp and scopes)";
    }

    private static Caller caller(JsonWebToken jwt) {
        String name = text(jwt.getClaim("name"));
        if (name == null || name.isBlank()) {
            throw invalid("it has no name claim");
        }
        Object scopesClaim = jwt.getClaim("scopes");
        if (!(scopesClaim instanceof JsonArray scopeList)) {
            throw invalid("its scopes claim is missing or not an array");
        }
        Set<String> scopes = new HashSet<>();
        Map<String, Map<String, String>> fixed = new HashMap<>();
        for (JsonValue value : scopeList) {
            if (!(value instanceof JsonObject scope)) {
                throw invalid("a scope is not an object");
            }
            String type = text(scope.get("type"));
            String resource = text(scope.get("resource"));
            if (resource == null || resource.isBlank()) {
                throw invalid("a scope has no resource");
            }
            if (PIPES_READ.equals(type)) {
                scopes.add(Scope.pipe(resource));
                fixedParams(scope.get("fixed_params"), fixed.computeIfAbsent(resource, r -> new LinkedHashMap<>()));
            } else if (DATASOURCES_READ.equals(type)) {
                if (scope.containsKey("filter")) {
                    throw invalid("its DATASOURCES:READ scope has a filter, and row filters are not applied here:"
                            + " the token is refused rather than read unfiltered");
                }
                scopes.add(Scope.read(resource));
            } else {
                throw invalid("its scope type " + (type == null ? "(none)" : "'" + type + "'")
                        + " is not supported; JWT scopes are PIPES:READ and DATASOURCES:READ");
            }
        }
        fixed.values().removeIf(Map::isEmpty);
        return new Caller(name, scopes, true, fixed, rps(jwt.getClaim("limits")));
    }

    private static void fixedParams(JsonValue value, Map<String, String> into) {
        if (value == null || value == JsonValue.NULL) {
            return;
        }
        if (!(value instanceof JsonObject params)) {
            throw invalid("fixed_params is not an object");
        }
        params.forEach((param, fixedValue) -> {
            String text = switch (fixedValue.getValueType()) {
                case STRING -> ((JsonString) fixedValue).getString();
                case NUMBER -> fixedValue.toString();
                case TRUE -> "true";
                case FALSE -> "false";
                default -> throw invalid("fixed_params." + param + " is not a string, number or boolean");
            };
            into.put(param, text);
        });
    }

    private static Optional<Double> rps(Object limits) {
        if (limits == null || limits == JsonValue.NULL) {
            return Optional.empty();
        }
        if (!(limits instanceof JsonObject object)) {
            throw invalid("limits is not an object");
        }
        JsonValue rps = object.get("rps");
        if (rps == null || rps == JsonValue.NULL) {
            return Optional.empty();
        }
        if (!(rps instanceof JsonNumber number) || !(number.doubleValue() > 0)) {
            throw invalid("limits.rps is not a positive number");
        }
        return Optional.of(number.doubleValue());
    }

    private static String text(Object claim) {
        if (claim instanceof String string) {
            return string;
        }
        if (claim instanceof JsonString string) {
            return string.getString();
        }
        return null;
    }

    private static TokenRejectedException invalid(String why) {
        return new TokenRejectedException("invalid JWT: " + why);
    }
}
