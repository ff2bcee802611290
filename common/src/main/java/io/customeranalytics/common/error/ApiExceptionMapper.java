package io.customeranalytics.common.error;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.Logger;

/** Our own failures: their status and client message, as they are. */
@Provider
public class ApiExceptionMapper implements ExceptionMapper<ApiException> {

    private static final Logger LOG = Logger.getLogger(ApiExceptionMapper.class);

    @Override
    public Response toResponse(ApiException e) {
        if (e.status() >= 500) {
            LOG.warnf("%d: %s", e.status(), e.getMessage());
        } else {
            LOG.debugf("%d: %s", e.status(), e.getMessage());
        }
        return ErrorResponses.of(e);
    }
}
