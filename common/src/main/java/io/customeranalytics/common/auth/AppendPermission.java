package io.customeranalytics.common.auth;

import io.customeranalytics.common.schema.Datasource;

/**
 * {@code DATASOURCES:APPEND:<datasource>} for the datasource a request names in its parameter {@code name}:
 * {@code @PermissionsAllowed(value = "append", permission = AppendPermission.class, params = "name")}.
 */
public final class AppendPermission extends ScopePermission {

    public AppendPermission(String permission, String name) {
        super(permission, name == null ? null
                : Datasource.byName(name).map(datasource -> Scope.append(datasource.tableName())).orElse(null));
    }
}
