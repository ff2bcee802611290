package io.customeranalytics.ingest.erasure;

import java.time.OffsetDateTime;
import java.util.Map;

/** What one erasure removed in its transaction, as its audit record holds it (the id only as a hash). */
record Erasure(String erasureId, String customerId, String customerSha256, OffsetDateTime erasedAt,
               Map<String, Object> rows) {
}
