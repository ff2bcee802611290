package io.customeranalytics.common.error;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Builds the JSON error answer of the resources; the only place that does. Requests refused before any resource
 * (HttpLayerErrors) get the same {@link ErrorBody}.
 */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    public static Response of(ApiException e) {
        Response.ResponseBuilder builder = Response.status(e.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(e.clientMessage(), e.documentation()));
        if (e.retryAfterSeconds() != null) {
            builder.header("Retry-After", e.retryAfterSeconds());
        }
        return builder.build();
    }

    public static Response of(int status, String message, String documentation) {
        return of(new ApiException(status, message, documentation));
    }
}
