package io.customeranalytics.common.error;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Failures raised by the HTTP layer itself (no such path, wrong method, unreadable parameter), in our JSON shape
 * rather than the framework's HTML or empty body.
 */
@Provider
public class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {

    static final String NO_SUCH_ENDPOINT = "no such endpoint; see /q/openapi for the API's paths";
    static final String METHOD_NOT_ALLOWED =
            "method not allowed on this path; see /q/openapi for the methods each path takes";

    @Override
    public Response toResponse(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        String message;
        if (e instanceof NotFoundException) {
            message = NO_SUCH_ENDPOINT;
        } else if (e instanceof NotAllowedException) {
            message = METHOD_NOT_ALLOWED;
        } else if (e instanceof NotSupportedException) {
            message = "unsupported media type";
        } else if (status >= 500) {
            message = "internal error";
        } else {
            message = e.getMessage() == null ? Response.Status.fromStatusCode(status).getReasonPhrase() : e.getMessage();
        }
        Response.ResponseBuilder builder = Response.fromResponse(ErrorResponses.of(status, message,
                ApiException.DOC_ERRORS));
        String allow = e.getResponse() == null ? null : e.getResponse().getHeaderString("Allow");
        if (allow != null) {
            builder.header("Allow", allow);
        }
        return builder.build();
    }
}
