package io.customeranalytics.testsupport;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** JWTs as Tinybird's SDK makes them (HS256 over name, exp, scopes, limits), signed with jose4j. */
public final class TestJwts {

    private TestJwts() {
    }

    public static Map<String, Object> pipeScope(String pipe, Map<String, Object> fixedParams) {
        return fixedParams.isEmpty() ? Map.of("type", "PIPES:READ", "resource", pipe)
                : Map.of("type", "PIPES:READ", "resource", pipe, "fixed_params", fixedParams);
    }

    public static JwtClaims claims(String name, long expiresInSeconds, List<Map<String, Object>> scopes) {
        JwtClaims claims = new JwtClaims();
        claims.setClaim("workspace_id", "00000000-0000-0000-0000-000000000000");
        claims.setClaim("name", name);
        claims.setExpirationTimeMinutesInTheFuture(expiresInSeconds / 60f);
        claims.setClaim("scopes", scopes);
        return claims;
    }

    public static String sign(JwtClaims claims, String secret) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(new HmacKey(secret.getBytes(StandardCharsets.UTF_8)));
        jws.setDoKeyValidation(false);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same claims with {@code alg: none} and no signature: what a forger sends. */
    public static String unsigned(JwtClaims claims) {
        Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
        String header = encoder.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = encoder.encodeToString(claims.toJson().getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }
}
