package io.customeranalytics.localstack;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where a PostgreSQL server is and how to log in, parsed from a {@code postgresql://user[:password]@host:port/db}
 * URL (also {@code postgres://} and {@code jdbc:postgresql://}), and written back in the forms Quarkus wants.
 */
public record DatabaseAddress(String host, int port, String database, String user, String password) {

    public static DatabaseAddress parse(String url, String fallbackPassword) {
        String text = url.trim();
        if (text.startsWith("jdbc:")) {
            text = text.substring("jdbc:".length());
        }
        if (!text.startsWith("postgresql://") && !text.startsWith("postgres://")) {
            throw new IllegalArgumentException("expected a postgresql://user@host:port/db URL, got a URL with another"
                    + " scheme");
        }
        URI uri = URI.create(text);
        String user = "postgres";
        String password = fallbackPassword;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            if (parts.length == 2) {
                password = decode(parts[1]);
            }
        }
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String path = uri.getPath() == null ? "" : uri.getPath();
        String database = path.length() > 1 ? decode(path.substring(1)) : user;
        return new DatabaseAddress(host, port, database, user, password);
    }

    /** The URL for {@code quarkus.datasource.reactive.url} (credentials are passed separately). */
    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    /** The URL for {@code quarkus.datasource.jdbc.url} and Flyway. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A URL a person can paste into psql; the password, if any, is left out. */
    public String displayUrl() {
        return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
