package io.customeranalytics.common.auth;

/**
 * The scope that reads the pipe endpoint a request names in its parameter {@code pipe} ({@link
 * Scope#readPipe}): {@code @PermissionsAllowed(value = "read", permission = PipeReadPermission.class,
 * params = "pipe")}.
 */
public final class PipeReadPermission extends ScopePermission {

    public PipeReadPermission(String permission, String pipe) {
        super(permission, pipe == null || pipe.isEmpty() ? null : Scope.readPipe(pipe));
    }
}
