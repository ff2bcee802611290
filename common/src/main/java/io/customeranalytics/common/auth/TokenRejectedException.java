package io.customeranalytics.common.auth;

/**
 * A token that is sent but not accepted: unknown, or a JWT that is expired, badly signed or malformed. Its message
 * is safe for the client (it never holds the token) and becomes the 403's {@code error}. It travels to the 403
 * mapper as the cause of Quarkus' AuthenticationFailedException.
 */
public class TokenRejectedException extends RuntimeException {

    /** The message for a token that matches no configured token and is not a JWT. */
    public static final String UNKNOWN = "unknown token: it matches no configured token";

    public TokenRejectedException(String message) {
        super(message, null, false, false);
    }

    public TokenRejectedException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
