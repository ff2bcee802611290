package io.customeranalytics.ingest.datasources;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Direct reads of the test database for the Data Sources API's tests, and ids unique to one test. */
final class DatabaseReads {

    private DatabaseReads() {
    }

    /** A prefix unique to one test, so that its rows are told apart from everything else in the database. */
    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 13);
    }

    static long count(Pool pool, String sql, Object... params) {
        return pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofSeconds(30))
                .iterator().next().getLong(0);
    }

    /** The first column of each row, as text. */
    static List<String> strings(Pool pool, String sql, Object... params) {
        List<String> values = new ArrayList<>();
        for (Row row : pool.preparedQuery(sql).execute(Tuple.from(params)).await().atMost(Duration.ofSeconds(30))) {
            values.add(row.getString(0));
        }
        return values;
    }
}
