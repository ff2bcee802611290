package io.customeranalytics.common.error;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/**
 * Everything else. A database that cannot be reached, or that gave up on a statement because of concurrent work
 * (a deadlock, a lock or time limit), is a 503 with {@code Retry-After}; anything left is our bug, logged with
 * its stack and answered with a generic 500 that carries no detail.
 */
@Provider
public class UnexpectedExceptionMapper implements ExceptionMapper<Throwable> {

    private static final Logger LOG = Logger.getLogger(UnexpectedExceptionMapper.class);

    @Override
    public Response toResponse(Throwable e) {
        if (DatabaseErrors.isUnavailable(e)) {
            ApiException unavailable = ApiException.databaseUnavailable(e);
            LOG.warn(unavailable.getMessage());
            return ErrorResponses.of(unavailable);
        }
        if (DatabaseErrors.isTransient(e)) {
            ApiException busy = ApiException.databaseBusy(e);
            LOG.warn(busy.getMessage());
            return ErrorResponses.of(busy);
        }
        LOG.error("unexpected failure", e);
        return ErrorResponses.of(500, "internal error", ApiException.DOC_ERRORS);
    }
}
