package io.customeranalytics.bench.workload;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.customeranalytics.bench.data.ScaleData;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * The rows an ingest case sends: the first {@code count} events of the S data set, each {@code event_id}
 * prefixed with the case's name so that no two cases (and no case and the loaded data) share an id. The Gatling
 * simulation sends them as NDJSON; the baseline COPYs the very same rows.
 */
public final class IngestRows {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS");
    private static final JsonFactory JSON = new JsonFactory();

    private IngestRows() {
    }

    /** The rows of a case, in the generator's order (day after day). */
    public static List<ScaleData.Event> of(String caseName, int count, long seed, LocalDate end) {
        List<ScaleData.Event> rows = new ArrayList<>(count);
        ScaleData data = new ScaleData(ScaleData.Size.S, seed, end, 365);
        try {
            data.events(e -> {
                if (rows.size() == count) {
                    throw new Enough();
                }
                rows.add(new ScaleData.Event(caseName + "-" + e.eventId(), e.customerId(), e.eventType(),
                        e.timestamp(), e.sessionId(), e.pageUrl(), e.productId(), e.categoryId(), e.deviceType(),
                        e.country(), e.referrer(), e.userAgent(), e.price(), e.quantity()));
            });
        } catch (Enough enough) {
            // the generator streams; this stops it
        }
        return rows;
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) as an NDJSON body. */
    public static byte[] ndjson(List<ScaleData.Event> rows, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((to - from) * 400);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.setRootValueSeparator(null);
            for (int i = from; i < to; i++) {
                ScaleData.Event e = rows.get(i);
                json.writeStartObject();
                json.writeStringField("event_id", e.eventId());
                json.writeStringField("customer_id", e.customerId());
                json.writeStringField("event_type", e.eventType());
                json.writeStringField("event_timestamp", TIMESTAMP.format(e.timestamp()));
                json.writeStringField("session_id", e.sessionId());
                json.writeStringField("page_url", e.pageUrl());
                nullable(json, "product_id", e.productId());
                nullable(json, "category_id", e.categoryId());
                json.writeStringField("device_type", e.deviceType());
                json.writeStringField("country", e.country());
                nullable(json, "referrer", e.referrer());
                json.writeStringField("user_agent", e.userAgent());
                if (e.price() != null) {
                    json.writeNumberField("price", e.price());
                }
                if (e.quantity() != null) {
                    json.writeNumberField("quantity", e.quantity());
                }
                json.writeEndObject();
                json.writeRaw('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void nullable(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    private static final class Enough extends RuntimeException {
        Enough() {
            super(null, null, false, false);
        }
    }
}
