package io.customeranalytics.common.auth;

import java.security.Permission;
import java.util.Objects;
import java.util.Optional;

/**
 * The scope an endpoint needs, declared on the endpoint with {@code @PermissionsAllowed} and one of the
 * subclasses, e.g. {@code @PermissionsAllowed(value = Scope.ADMIN, permission = AdminPermission.class)}. A
 * request's identity
 * (TokenIdentityProvider) grants it when its token has the scope or ADMIN, and otherwise refuses it with the 403
 * that names the scope.
 *
 * <p>{@link AppendPermission} and {@link PipeReadPermission} compute the scope from a parameter of the request.
 * When the parameter names nothing that exists, there is no scope to check and the permission is granted, so that the endpoint answers its own 400 or 404.
 */
public abstract class ScopePermission extends Permission {

    private final String scope;

    protected ScopePermission(String name, String scope) {
        super(name);
        this.scope = scope;
    }

    /** The scope a token needs (besides ADMIN); empty when the request names nothing that exists. */
    public Optional<String> scope() {
        return Optional.ofNullable(scope);
    }

    @Override
    public boolean implies(Permission permission) {
        return permission instanceof ScopePermission other && Objects.equals(scope, other.scope);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ScopePermission that && that.getClass() == getClass()
                && Objects.equals(scope, that.scope);
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass(), scope);
    }

    @Override
    public String getActions() {
        return "";
    }
}
