package io.customeranalytics.pipes;

import io.vertx.core.Future;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.util.concurrent.CancellationException;

/**
 * One query on a connection of its own that can be cancelled in the database while it runs (PostgreSQL's cancel
 * request, {@link PgConnection#cancelRequest()}): when its client has gone or its time is up.
 *
 * <p>The connection goes back to the pool only once the query has ended and a cancel request sent for it has
 * been handled, so that a late cancel can never stop the next query on that connection (a backend that is
 * waiting for its next command ignores a cancel).
 */
final class CancellableQuery {

    private static final Logger LOG = Logger.getLogger(CancellableQuery.class);

    private final Future<RowSet<Row>> rows;
    private SqlConnection running;
    private Future<Void> cancelSent = Future.succeededFuture();
    private boolean abandoned;

    private CancellableQuery(Pool pool, String sql, Tuple params) {
        this.rows = pool.getConnection().compose(connection -> send(connection, sql, params));
    }

    /** Sends the query as soon as the pool has a connection for it. */
    static CancellableQuery start(Pool pool, String sql, Tuple params) {
        return new CancellableQuery(pool, sql, params);
    }

    Future<RowSet<Row>> rows() {
        return rows;
    }

    /** Stops the query: in the database if it is running, before it is sent if it waits for a connection. */
    synchronized void cancel() {
        if (abandoned) {
            return;
        }
        abandoned = true;
        if (running != null) {
            cancelSent = PgConnection.cast(running).cancelRequest()
                    .onFailure(e -> LOG.debugf("a cancel request could not be sent: %s", e));
        }
    }

    private synchronized Future<RowSet<Row>> send(SqlConnection connection, String sql, Tuple params) {
        if (abandoned) {
            connection.close();
            return Future.failedFuture(new CancellationException("cancelled before it was sent"));
        }
        running = connection;
        Future<RowSet<Row>> rows = connection.preparedQuery(sql).execute(params);
        // The answer goes on at once; the connection follows on its own.
        rows.onComplete(ended -> release(connection));
        return rows;
    }

    /** Once the query has ended: after its cancel request, if one was sent, the connection goes back. */
    private void release(SqlConnection connection) {
        Future<Void> cancel;
        synchronized (this) {
            running = null;
            cancel = cancelSent;
        }
        cancel.onComplete(sent -> connection.close());
    }
}
