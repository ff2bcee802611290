package io.customeranalytics.common.error;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Tells a database that cannot be reached (answer 503, retry later) from any other failure. */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    /** True when {@code failure}, or one of its causes, says the database is unreachable or refusing work. */
    public static boolean isUnavailable(Throwable failure) {
        return anyCause(failure, t -> {
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
            return message != null && (message.contains("Connection refused")
                    || message.contains("Timeout while waiting for a connection")
                    || message.contains("Connection is not active"));
        });
    }

    /**
     * True when {@code failure}, or one of its causes, is the database giving up on the statement because of
     * concurrent work or an operator's limit, not because of what was asked: SQLSTATE class 40 (serialization
     * failure, deadlock), 55P03 (lock not available) and 57014 (query canceled, e.g. a server-side
     * statement_timeout). The same request can succeed when retried.
     */
    public static boolean isTransient(Throwable failure) {
        return anyCause(failure, t -> t instanceof PgException pg && pg.getSqlState() != null
                && (pg.getSqlState().startsWith("40") || pg.getSqlState().equals("55P03")
                    || pg.getSqlState().equals("57014")));
    }

    private static boolean anyCause(Throwable failure, Predicate<Throwable> test) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (test.test(t)) {
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
