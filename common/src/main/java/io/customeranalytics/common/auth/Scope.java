package io.customeranalytics.common.auth;

import io.customeranalytics.common.schema.Datasource;

import java.util.Arrays;

/**
 * The token scopes of the API (docs/api.md, "Tokens and scopes"). A scope is a plain string so that it can be
 * configured as written in the Tinybird documentation; this class only builds and compares them.
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

    /**
     * The scope that reads a pipe endpoint: {@code DATASOURCES:READ:<name>} for a datasource's quarantine (which is
     * read as a datasource), {@code PIPES:READ:<name>} for every other endpoint.
     */
    public static String readPipe(String endpoint) {
        boolean quarantine = Arrays.stream(Datasource.values())
                .anyMatch(datasource -> datasource.quarantineTableName().equals(endpoint));
        return quarantine ? read(endpoint) : pipe(endpoint);
    }
}
