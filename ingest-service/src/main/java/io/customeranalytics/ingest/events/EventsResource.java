package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.customeranalytics.common.auth.AppendPermission;
import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.error.ErrorBody;
import io.customeranalytics.common.openapi.ErrorResponsesFilter;
import io.customeranalytics.common.schema.Datasource;
import io.customeranalytics.ingest.config.IngestConfig;
import io.smallrye.common.annotation.Blocking;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipException;

/**
 * {@code POST /v0/events?name=<datasource>}: Tinybird's Events API (docs/api.md, "Events API"). HTTP only: token,
 * parameters and the body's bytes; the rules live in {@link IngestService}.
 */
@Path("/v0/events")
@Tag(name = "Events", description = "Append rows to a datasource, as Tinybird's Events API does.")
public class EventsResource {

    static final String SEED_EVENT = """
            {"event_id": "ev-12345", "customer_id": "cust-789", "event_type": "purchase",
             "event_timestamp": "2023-06-15 14:30:45", "session_id": "sess-456",
             "page_url": "https://example.com/product/123", "product_id": "prod-123", "category_id": "cat-456",
             "price": 49.99, "quantity": 1, "device_type": "mobile", "country": "US", "referrer": "google.com",
             "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 13_2_3 like Mac OS X)"}""";
    static final String RESULT_EXAMPLE = """
            {"successful_rows": 1, "quarantined_rows": 0}""";

    private final IngestService service;
    private final IngestConfig config;
    private final BodyParser parser;

    public EventsResource(IngestService service, IngestConfig config,
                          ObjectMapper mapper) {
        this.service = service;
        this.config = config;
        // The body's own limits bound what the parser holds.
        this.parser = new BodyParser(mapper, config.maxDecompressedBytes());
    }

    @POST
    @Blocking
    @PermissionsAllowed(value = "append", permission = AppendPermission.class, params = "name")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "appendEvents", summary = "Append rows to a datasource",
            description = "The body is NDJSON (one JSON object per line), or one JSON object, or one JSON array of"
                    + " objects, whatever the Content-Type; Content-Encoding gzip is accepted. Each row is stored or"
                    + " quarantined with its reason, and the answer counts both, after the commit.")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @RequestBody(required = false, content = {
            @Content(mediaType = "application/x-ndjson", schema = @Schema(type = SchemaType.STRING),
                    examples = @ExampleObject(name = "event", value = SEED_EVENT)),
            @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "200", description = "wait=true: every row stored or quarantined and committed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = IngestResult.class),
                    examples = @ExampleObject(name = "stored", value = RESULT_EXAMPLE)))
    @APIResponse(responseCode = "202", description = "wait=false (default): every row stored or quarantined and"
            + " committed", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = IngestResult.class),
            examples = @ExampleObject(name = "stored", value = RESULT_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Missing name, malformed wait, unreadable compressed body",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "404", description = "Unknown datasource",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "413", description = "Body over 10 MB as sent or 100 MB decompressed; nothing stored",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public Uni<Response> append(
            @Parameter(description = "The datasource to append to", required = true, example = "customer_events",
                    schema = @Schema(type = SchemaType.STRING,
                            enumeration = {"customer_events", "customer_profiles", "customer_segments"}))
            @RestQuery String name,
            @Parameter(description = "true: answer 200; false (default): answer 202. Both come after the commit.",
                    example = "true", schema = @Schema(type = SchemaType.BOOLEAN, defaultValue = "false"))
            @RestQuery String wait,
            @Parameter(hidden = true) @Context HttpServerRequest request,
            InputStream body) {
        if (name == null || name.isBlank()) {
            throw ApiException.badRequest("missing parameter 'name': the datasource to append to, one of "
                    + Datasource.names(), ApiException.DOC_EVENTS);
        }
        Datasource datasource = Datasource.byName(name).orElseThrow(() -> ApiException.notFound(
                "unknown datasource '" + name + "'; known: " + Datasource.names(), ApiException.DOC_EVENTS));
        boolean waitForCommit = parseWait(wait);
        checkDeclaredLength(request);

        Batch batch = new Batch(datasource);
        try (InputStream decoded = decode(body, request.getHeader("Content-Encoding"))) {
            parser.parse(decoded, batch);
        } catch (ZipException e) {
            throw ApiException.badRequest("the body is not valid " + request.getHeader("Content-Encoding")
                    + " data: " + e.getMessage(), ApiException.DOC_EVENTS);
        } catch (EOFException e) {
            // GZIPInputStream and InflaterInputStream: an empty body, a truncated stream, or a gzip member
            // without its trailer. Nothing is stored.
            throw ApiException.badRequest("the body is not complete " + request.getHeader("Content-Encoding")
                    + " data: it is empty or ends early (truncated, or without its trailer); nothing was stored",
                    ApiException.DOC_EVENTS);
        } catch (IOException e) {
            // The body could not be read to its end (the client went away mid-body): nothing was stored.
            throw ApiException.badRequest("the request body could not be read to its end; nothing was stored",
                    ApiException.DOC_EVENTS);
        }
        return service.write(batch)
                .map(outcome -> Response.status(waitForCommit ? 200 : 202)
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(outcome.result())
                        .build());
    }

    private void checkDeclaredLength(HttpServerRequest request) {
        String declared = request.getHeader("Content-Length");
        if (declared == null) {
            return;
        }
        try {
            if (Long.parseLong(declared.trim()) > config.maxBodyBytes()) {
                throw LimitedInputStream.tooLarge("the request body", config.maxBodyBytes());
            }
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("malformed Content-Length header", ApiException.DOC_EVENTS);
        }
    }

    private InputStream decode(InputStream body, String contentEncoding) throws IOException {
        InputStream wire = new LimitedInputStream(body, config.maxBodyBytes(), "the request body");
        String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        return switch (encoding) {
            case "", "identity" -> wire;
            case "gzip", "x-gzip" -> new LimitedInputStream(new GZIPInputStream(wire, 64 * 1024),
                    config.maxDecompressedBytes(), "the decompressed request body");
            case "deflate" -> new LimitedInputStream(new InflaterInputStream(wire),
                    config.maxDecompressedBytes(), "the decompressed request body");
            default -> throw ApiException.badRequest("unsupported Content-Encoding '" + contentEncoding
                    + "'; send gzip, deflate or none", ApiException.DOC_EVENTS);
        };
    }

    private static boolean parseWait(String wait) {
        if (wait == null || wait.isEmpty()) {
            return false;
        }
        return switch (wait.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw ApiException.badRequest("parameter 'wait' must be true or false, got '" + wait + "'",
                    ApiException.DOC_EVENTS);
        };
    }
}
