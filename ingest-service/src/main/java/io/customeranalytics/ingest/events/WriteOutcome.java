package io.customeranalytics.ingest.events;

/**
 * What one write did.
 *
 * @param stored       rows inserted or, for profiles and segments, upserted
 * @param deduplicated valid rows that changed nothing: events already stored (same id and timestamp), or
 *                     profile/segment rows overtaken by a later row for the same key in the same request
 * @param quarantined  rows written to the quarantine
 */
record WriteOutcome(long stored, long deduplicated, long quarantined) {

    IngestResult result() {
        return new IngestResult(stored + deduplicated, quarantined);
    }
}
