package io.customeranalytics.common.auth;

import java.util.Set;

/**
 * Who sent a request: the configured name of the token it carried (never the token itself) and that token's
 * scopes.
 */
public record Caller(String tokenName, Set<String> scopes) {

    public boolean has(String scope) {
        return scopes.contains(Scope.ADMIN) || scopes.contains(scope);
    }
}
