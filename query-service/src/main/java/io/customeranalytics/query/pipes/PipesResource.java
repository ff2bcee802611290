package io.customeranalytics.query.pipes;

import io.customeranalytics.common.auth.PipeReadPermission;
import io.customeranalytics.common.error.ErrorBody;
import io.customeranalytics.common.openapi.ErrorResponsesFilter;
import io.customeranalytics.pipes.PipeEnvelope;
import io.customeranalytics.pipes.PipeService;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The read endpoints of query-service (purchase history, activity, behavioural analysis, segment customers
 * and metrics, quarantines), as {@code GET /v0/pipes/<endpoint>.<format>}. The endpoints are the {@code
 * PipeEndpoint} beans of this package; {@link PipeService} parses, runs and renders them. The token needs {@code ADMIN} or the scope
 * that reads the endpoint named ({@link PipeReadPermission}).
 */
@Path("/v0/pipes")
@Tag(name = "Pipes",
        description = "Tinybird-style read endpoints: purchase history, activity, behaviour, segments, quarantines")
public class PipesResource {

    private final PipeService pipes;

    public PipesResource(PipeService pipes) {
        this.pipes = pipes;
    }

    @GET
    @Path("{pipe}.{format}")
    @PermissionsAllowed(value = "read", permission = PipeReadPermission.class, params = "pipe")
    @Operation(operationId = "queryPipe", summary = "Query a pipe endpoint",
            description = "Answers the endpoint's rows as JSON (Tinybird's envelope), CSV or NDJSON.")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @APIResponse(responseCode = "200", description = "The endpoint's rows", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PipeEnvelope.class)),
            @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "application/x-ndjson", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "400", description = "A missing or malformed parameter, named in the message",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "404", description = "Unknown endpoint, or (segment_customers) unknown segment",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public Uni<Response> query(
            @Parameter(description = "The endpoint", example = "customer_activity") @PathParam("pipe") String pipe,
            @Parameter(description = "json, csv or ndjson", example = "json") @PathParam("format") String format,
            @Parameter(hidden = true) @Context HttpServerRequest request) {
        return pipes.answer(pipe, format, request.params());
    }
}
