package io.customeranalytics.common.auth;

/** {@code ADMIN}: {@code @PermissionsAllowed(value = Scope.ADMIN, permission = AdminPermission.class)}. */
public final class AdminPermission extends ScopePermission {

    public AdminPermission(String permission) {
        super(permission, Scope.ADMIN);
    }
}
