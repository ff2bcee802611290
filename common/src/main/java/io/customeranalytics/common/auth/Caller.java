package io.customeranalytics.common.auth;

import java.util.Set;

/**
 * Who sent a request: the configured name of the token it carried (never the token itself) and that token's
 * scopes.
 */
public record Caller(String tokenName, Set<String> scopes) {

    /** The name the admin token ({@code analytics.admin-token}) goes by in messages and metrics. */
    public static final String ADMIN_TOKEN_NAME = "admin";

    public boolean has(String scope) {
        return scopes.contains(Scope.ADMIN) || scopes.contains(scope);
    }
}
