package io.customeranalytics.clienttests;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.customeranalytics.client.ingest.api.DataSourcesApi;
import io.customeranalytics.client.ingest.api.EventsApi;
import io.customeranalytics.client.ingest.model.AppendResult;
import io.customeranalytics.client.ingest.model.DeleteAnswer;
import io.customeranalytics.client.ingest.model.IngestResult;
import io.customeranalytics.client.query.api.PipesApi;
import io.customeranalytics.client.query.model.CustomerActivityResponse;
import io.customeranalytics.client.query.model.CustomerEventsQuarantineRow;
import io.customeranalytics.client.query.model.CustomerPurchaseHistoryResponse;
import io.customeranalytics.client.query.model.CustomerPurchaseHistoryRow;
import io.customeranalytics.client.query.model.Error;
import io.customeranalytics.client.segmentation.model.CustomerSegmentationSuggestionsResponse;
import io.customeranalytics.client.segmentation.model.CustomerSegmentationSuggestionsRow;
import io.customeranalytics.client.segmentation.model.SegmentSuggestionsSummaryResponse;
import io.customeranalytics.localstack.LocalStack;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Java clients generated (openapi-generator, library "native") from the OpenAPI documents the running services
 * served during this build, used against the one base URL: what a user who generates a client gets.
 */
@ExtendWith(RunningStack.class)
class GeneratedClientsTest {

    private static EventsApi events;
    private static DataSourcesApi datasources;
    private static PipesApi queries;
    private static io.customeranalytics.client.segmentation.api.PipesApi segmentation;
    private static PipesApi unauthorizedQueries;

    @BeforeAll
    static void clients() {
        LocalStack stack = RunningStack.get();
        String base = stack.gatewayUrl().toString();
        Consumer<java.net.http.HttpRequest.Builder> bearer =
                request -> request.header("Authorization", "Bearer " + stack.adminToken());

        var ingestClient = new io.customeranalytics.client.ingest.ApiClient();
        ingestClient.updateBaseUri(base);
        ingestClient.setRequestInterceptor(bearer);
        events = new EventsApi(ingestClient);
        datasources = new DataSourcesApi(ingestClient);

        var queryClient = new io.customeranalytics.client.query.ApiClient();
        queryClient.updateBaseUri(base);
        queryClient.setRequestInterceptor(bearer);
        queries = new PipesApi(queryClient);

        var segmentationClient = new io.customeranalytics.client.segmentation.ApiClient();
        segmentationClient.updateBaseUri(base);
        segmentationClient.setRequestInterceptor(bearer);
        segmentation = new io.customeranalytics.client.segmentation.api.PipesApi(segmentationClient);

        var wrongToken = new io.customeranalytics.client.query.ApiClient();
        wrongToken.updateBaseUri(base);
        wrongToken.setRequestInterceptor(request -> request.header("Authorization", "Bearer not-a-token"));
        unauthorizedQueries = new PipesApi(wrongToken);
    }

    @Test
    void appendsEventsAndReadsTypedRowsBack() throws Exception {
        String customer = "client-" + UUID.randomUUID();
        String body = event(customer, "ev-" + UUID.randomUUID(), "purchase", "2023-06-15 14:30:45", 49.99, 2) + "\n"
                + event(customer, "ev-" + UUID.randomUUID(), "page_view", "2023-06-15 14:31:00", null, null) + "\n";

        IngestResult result = events.appendEvents("customer_events", true, body);
        assertEquals(2L, result.getSuccessfulRows());
        assertEquals(0L, result.getQuarantinedRows());

        CustomerPurchaseHistoryResponse history = queries.customerPurchaseHistory(customer, null, null, null, null);
        assertEquals(1L, history.getRows());
        CustomerPurchaseHistoryRow purchase = history.getData().get(0);
        assertEquals("2023-06-15 14:30:45", purchase.getEventTimestamp());
        assertEquals(49.99, purchase.getPrice());
        assertEquals(2, purchase.getQuantity());
        assertEquals(99.98, purchase.getTotalAmount(), 1e-9);
        assertNull(purchase.getPageUrl());
        assertFalse(history.getMeta().isEmpty(), "column metadata, as Tinybird sends");
        assertNotNull(history.getStatistics().getElapsed());

        CustomerActivityResponse activity = queries.customerActivity(customer, null, null, null, null);
        assertEquals(2L, activity.getRows());
        assertEquals(List.of("page_view", "purchase"), activity.getData().stream()
                .map(row -> row.getEventType()).sorted().toList());
    }

    @Test
    void appendsAFileAndDeletesItsRowsByConditionThroughTheClient() throws Exception {
        String customer = "client-file-" + UUID.randomUUID();
        File csv = File.createTempFile("events", ".csv");
        try {
            Files.writeString(csv.toPath(), "event_id,customer_id,event_type,event_timestamp\n"
                    + customer + "-1," + customer + ",page_view,2023-06-15 14:30:45\n"
                    + customer + "-2," + customer + ",page_view,yesterday\n");
            AppendResult appended = datasources.appendDatasourceFile("customer_events", null, null, null, "csv",
                    "append", csv, null);
            assertEquals(1L, appended.getSuccessfulRows());
            assertEquals(1L, appended.getQuarantinedRows());
            assertNotNull(appended.getImportId());
        } finally {
            Files.delete(csv.toPath());
        }
        assertEquals(1L, queries.customerActivity(customer, null, null, null, null).getRows());
        assertEquals(1L, datasources.deleteDatasourceRows("customer_events", "customer_id = '" + customer + "'", true)
                .getRowsToBeDeleted());
        DeleteAnswer deleted = datasources.deleteDatasourceRows("customer_events",
                "customer_id = '" + customer + "'", false);
        assertEquals("done", deleted.getStatus());
        assertEquals(0L, queries.customerActivity(customer, null, null, null, null).getRows());
    }

    @Test
    void quarantinedRowsAreCountedAndReadableThroughTheClient() throws Exception {
        String eventId = "ev-bad-" + UUID.randomUUID();
        String bad = "{\"event_id\":\"" + eventId + "\",\"event_type\":\"purchase\","
                + "\"event_timestamp\":\"2023-06-15 14:30:45\"}";
        IngestResult result = events.appendEvents("customer_events", true, bad);
        assertEquals(0L, result.getSuccessfulRows());
        assertEquals(1L, result.getQuarantinedRows());

        List<CustomerEventsQuarantineRow> rows = queries.customerEventsQuarantine(null, null, 10_000).getData();
        CustomerEventsQuarantineRow row = rows.stream().filter(r -> eventId.equals(r.getEventId())).findFirst()
                .orElseThrow(() -> new AssertionError("quarantined row not listed"));
        assertTrue(row.getcErrorColumn().contains("customer_id"), row.toString());
        assertTrue(row.getcRaw().contains(eventId));
    }

    @Test
    void errorsArriveWithTheirStatusAndTheDocumentedErrorBody() throws Exception {
        var forbidden = assertThrows(io.customeranalytics.client.query.ApiException.class,
                () -> unauthorizedQueries.customerActivity("anyone", null, null, null, null));
        assertEquals(403, forbidden.getCode());
        Error error = new ObjectMapper().readValue(forbidden.getResponseBody(), Error.class);
        assertTrue(error.getError().contains("token"), error.getError());

        var unknown = assertThrows(io.customeranalytics.client.query.ApiException.class,
                () -> queries.segmentCustomers("no-such-segment-" + UUID.randomUUID(), null, null, null, null, null));
        assertEquals(404, unknown.getCode());
        assertFalse(new ObjectMapper().readValue(unknown.getResponseBody(), Error.class).getError().isBlank());

        var badRequest = assertThrows(io.customeranalytics.client.query.ApiException.class,
                () -> queries.customerActivity("anyone", null, "not a date", null, null));
        assertEquals(400, badRequest.getCode());
        assertTrue(new ObjectMapper().readValue(badRequest.getResponseBody(), Error.class).getError()
                .contains("start_date"));
    }

    @Test
    void segmentationSuggestionsArriveAsTypedRows() throws Exception {
        // The purchase is on as_of's own day, which the suggestions read from the raw events in both database
        // modes (no continuous aggregate to wait for); the facts checked are this customer's own.
        String customer = "client-rfm-" + UUID.randomUUID();
        IngestResult stored = events.appendEvents("customer_events", true,
                event(customer, "ev-" + UUID.randomUUID(), "purchase", "1989-12-31 10:00:00", 10.0, 3));
        assertEquals(1L, stored.getSuccessfulRows());
        String asOf = "1989-12-31 23:00:00";

        CustomerSegmentationSuggestionsResponse suggestions =
                segmentation.customerSegmentationSuggestions(null, asOf, 100_000);
        CustomerSegmentationSuggestionsRow row = suggestions.getData().stream()
                .filter(r -> customer.equals(r.getCustomerId())).findFirst()
                .orElseThrow(() -> new AssertionError("customer not among " + suggestions.getRows() + " suggestions"));
        assertEquals(1L, row.getFrequency());
        assertEquals(30.0, row.getMonetary(), 1e-9);
        assertEquals(0L, row.getRecencyDays(), "purchase and as_of on the same day");
        assertEquals("" + row.getrScore() + row.getfScore() + row.getmScore(), row.getRfmScore());
        assertNotNull(row.getSuggestedSegment());

        SegmentSuggestionsSummaryResponse summary = segmentation.segmentSuggestionsSummary(asOf);
        long counted = summary.getData().stream().mapToLong(r -> r.getCustomerCount()).sum();
        assertEquals(suggestions.getRowsBeforeLimitAtLeast(), counted,
                "the summary counts every customer the list has as of the same time");
        assertTrue(summary.getData().stream().anyMatch(r -> r.getSuggestedSegment().equals(row.getSuggestedSegment())));
    }

    private static String event(String customer, String eventId, String type, String at, Double price,
                                Integer quantity) {
        return "{\"event_id\":\"" + eventId + "\",\"customer_id\":\"" + customer + "\",\"event_type\":\"" + type
                + "\",\"event_timestamp\":\"" + at + "\",\"session_id\":\"s-" + customer + "\""
                + (price == null ? "" : ",\"price\":" + price + ",\"quantity\":" + quantity) + "}";
    }
}
