package io.customeranalytics.common.error;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;

/** Tells a database that cannot be reached (answer 503, retry later) from any other failure. */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    /** True when {@code failure}, or one of its causes, says the database is unreachable or refusing work. */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException
                    || t instanceof ClosedConnectionException
                    || t instanceof ClosedChannelException
                    || t instanceof TimeoutException
                    || t instanceof io.netty.channel.ConnectTimeoutException) {
                return true;
            }
            if (t instanceof PgException pg && isUnavailableState(pg.getSqlState())) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.contains("Connection refused")
                    || message.contains("Timeout while waiting for a connection")
                    || message.contains("Connection is not active"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * SQLSTATE classes 08 (connection exception) and 53 (insufficient resources), and 57P01..57P03 (the server
     * is shutting down or cannot take connections yet).
     */
    static boolean isUnavailableState(String sqlState) {
        if (sqlState == null) {
            return false;
        }
        return sqlState.startsWith("08") || sqlState.startsWith("53")
                || sqlState.equals("57P01") || sqlState.equals("57P02") || sqlState.equals("57P03");
    }
}
