package io.customeranalytics.common.error;

/**
 * A failure with an HTTP status and a message that is safe to send to the client. The log message, when given,
 * may carry more detail; it is never sent.
 */
public class ApiException extends RuntimeException {

    public static final String DOC_AUTH = "docs/api.md#authentication";
    public static final String DOC_EVENTS = "docs/api.md#events-api";
    public static final String DOC_ERRORS = "docs/api.md#errors";
    public static final String DOC_PIPES = "docs/api.md#pipe-endpoints";
    public static final String DOC_RATE_LIMITS = "docs/api.md#rate-limits";

    private final int status;
    private final String clientMessage;
    private final String documentation;
    private final Integer retryAfterSeconds;

    public ApiException(int status, String clientMessage, String documentation, Integer retryAfterSeconds,
                        String logMessage, Throwable cause) {
        super(logMessage == null ? clientMessage : logMessage, cause);
        this.status = status;
        this.clientMessage = clientMessage;
        this.documentation = documentation;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public ApiException(int status, String clientMessage, String documentation) {
        this(status, clientMessage, documentation, null, null, null);
    }

    public static ApiException badRequest(String message, String documentation) {
        return new ApiException(400, message, documentation);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, message, DOC_AUTH);
    }

    public static ApiException notFound(String message, String documentation) {
        return new ApiException(404, message, documentation);
    }

    public static ApiException payloadTooLarge(String message) {
        return new ApiException(413, message, DOC_EVENTS);
    }

    /** A token over its rate limit: retry after the given seconds. */
    public static ApiException rateLimited(String message, int retryAfterSeconds) {
        return new ApiException(429, message, DOC_RATE_LIMITS, retryAfterSeconds, null, null);
    }

    /** Precomputed data (segment membership) older than its promised bound: retry once it is refreshed. */
    public static ApiException stale(String message) {
        return new ApiException(503, message, DOC_PIPES, 10, null, null);
    }

    /** More work waiting than a service holds (nothing of the request was stored): retry after the seconds. */
    public static ApiException overCapacity(String message, int retryAfterSeconds) {
        return new ApiException(503, message, DOC_EVENTS, retryAfterSeconds, null, null);
    }

    /** The database gave up on a statement because of concurrent work (DatabaseErrors.isTransient): retry. */
    public static ApiException databaseBusy(Throwable cause) {
        return new ApiException(503, "the database could not finish the request because of concurrent work (a"
                + " conflict, a lock or a time limit); retry it", DOC_ERRORS, 1, "database gave up: " + cause, cause);
    }

    public static ApiException databaseUnavailable(Throwable cause) {
        return new ApiException(503, "the database is unavailable; retry later", DOC_ERRORS, 5,
                "database unavailable: " + cause, cause);
    }

    public int status() {
        return status;
    }

    public String clientMessage() {
        return clientMessage;
    }

    public String documentation() {
        return documentation;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
