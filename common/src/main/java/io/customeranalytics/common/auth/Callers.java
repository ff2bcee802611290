package io.customeranalytics.common.auth;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The {@link Caller} of the current request, for an endpoint that needs more than its declared permission: a
 * JWT's fixed parameters. The identity is the one the permission check resolved, not a second authentication.
 */
@ApplicationScoped
public class Callers {

    private final CurrentIdentityAssociation identities;

    public Callers(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    /** The caller, or an UnauthorizedException (403 missing token) for an anonymous request. */
    public Uni<Caller> current() {
        return identities.getDeferredIdentity()
                .map(identity -> {
                    Caller caller = identity.getAttribute(Caller.ATTRIBUTE);
                    if (caller == null) {
                        throw new UnauthorizedException();
                    }
                    return caller;
                });
    }
}
