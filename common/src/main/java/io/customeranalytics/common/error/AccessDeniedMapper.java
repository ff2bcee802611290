package io.customeranalytics.common.error;

import io.customeranalytics.common.auth.TokenRejectedException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Quarkus Security's refusals as our 403 (Quarkus answers 401 by default), one message per kind: a missing token
 * (an anonymous request reached an endpoint that declares a permission), an unknown or rejected token (the
 * identity provider's message), an insufficient scope. The scope-naming 403 of a token without the scope comes
 * from the identity's permission check as an ApiException.
 */
public class AccessDeniedMapper {

    static final String MISSING = "missing token: send it as ?token=... or as an 'Authorization: Bearer ...' header";
    static final String INSUFFICIENT = "the token does not have the scope this endpoint needs (insufficient scope)";

    private static final Logger LOG = Logger.getLogger(AccessDeniedMapper.class);

    @ServerExceptionMapper
    public Response missing(UnauthorizedException e) {
        return ErrorResponses.of(ApiException.forbidden(MISSING));
    }

    @ServerExceptionMapper
    public Response rejected(AuthenticationFailedException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof TokenRejectedException rejected) {
                return ErrorResponses.of(ApiException.forbidden(rejected.getMessage()));
            }
        }
        LOG.debugf("authentication failed: %s", e.getMessage());
        return ErrorResponses.of(ApiException.forbidden(TokenRejectedException.UNKNOWN));
    }

    @ServerExceptionMapper
    public Response insufficient(ForbiddenException e) {
        return ErrorResponses.of(ApiException.forbidden(INSUFFICIENT));
    }
}
