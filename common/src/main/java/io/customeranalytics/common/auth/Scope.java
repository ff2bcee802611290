package io.customeranalytics.common.auth;

/**
 * The token scopes of the API (API.md section 1). A scope is a plain string so that it can be configured as
 * written in the Tinybird documentation; this class only builds and compares them.
 */
public final class Scope {

    public static final String ADMIN = "ADMIN";

    private Scope() {
    }

    public static String append(String datasource) {
        return "DATASOURCES:APPEND:" + datasource;
    }

    public static String read(String datasource) {
        return "DATASOURCES:READ:" + datasource;
    }

    public static String pipe(String endpoint) {
        return "PIPES:READ:" + endpoint;
    }
}
