package io.customeranalytics.common.ratelimit;

import io.customeranalytics.common.auth.Caller;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Counts every authenticated request to a {@code /v0} endpoint against its token's rate limit ({@link
 * RateLimiter}): a 429 before the endpoint runs. An anonymous request is not counted; the endpoint's permission
 * check refuses it.
 */
public class RateLimitFilter {

    private final RateLimiter limiter;
    private final CurrentIdentityAssociation identities;

    public RateLimitFilter(RateLimiter limiter, CurrentIdentityAssociation identities) {
        this.limiter = limiter;
        this.identities = identities;
    }

    @ServerRequestFilter
    public Uni<Void> limit() {
        return identities.getDeferredIdentity()
                .invoke(identity -> {
                    Caller caller = identity.getAttribute(Caller.ATTRIBUTE);
                    if (caller != null) {
                        limiter.acquire(caller);
                    }
                })
                .replaceWithVoid();
    }
}
