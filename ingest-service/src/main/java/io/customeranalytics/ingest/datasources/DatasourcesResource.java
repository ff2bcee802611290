package io.customeranalytics.ingest.datasources;

import io.customeranalytics.common.auth.Caller;
import io.customeranalytics.common.auth.Scope;
import io.customeranalytics.common.auth.TokenAuthenticator;
import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.error.ErrorBody;
import io.customeranalytics.common.openapi.ErrorResponsesFilter;
import io.customeranalytics.common.schema.Datasource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Tinybird's Data Sources API, as far as it is built: {@code POST /v0/datasources/<name>/truncate}, scope
 * {@code ADMIN}. HTTP only; the SQL lives in {@link TruncateRepository}.
 */
@Path("/v0/datasources")
@Tag(name = "Data Sources", description = "Tinybird's Data Sources API: truncate a datasource or its quarantine.")
public class DatasourcesResource {

    static final String DOC_TRUNCATE = "docs/api.md#truncate";

    private final TokenAuthenticator authenticator;
    private final TruncateRepository repository;

    public DatasourcesResource(TokenAuthenticator authenticator, TruncateRepository repository) {
        this.authenticator = authenticator;
        this.repository = repository;
    }

    @POST
    @Path("{name}/truncate")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "truncateDatasource", summary = "Delete every row of a datasource or a quarantine",
            description = "Empties the datasource in one transaction with what is derived only from it (for"
                    + " customer_events: the behavioural analysis' table, the change records, plain mode's"
                    + " aggregates; the metrics snapshot and every segment are then rebuilt by"
                    + " segmentation-service).")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @APIResponse(responseCode = "200", description = "Emptied and committed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = TruncateResult.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "404", description = "Unknown datasource",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public Uni<TruncateResult> truncate(
            @Parameter(description = "A datasource or its quarantine", required = true,
                    example = "customer_events_quarantine") @PathParam("name") String name,
            @Parameter(hidden = true) @Context HttpServerRequest request) {
        Caller caller = authenticator.authenticate(request);
        authenticator.requireScope(caller, Scope.ADMIN);
        boolean quarantine = name.endsWith("_quarantine");
        String table = quarantine ? name.substring(0, name.length() - "_quarantine".length()) : name;
        Datasource datasource = Datasource.byName(table).orElseThrow(() -> ApiException.notFound(
                "unknown datasource '" + name + "'; known: " + known(), DOC_TRUNCATE));
        return repository.truncate(datasource, quarantine)
                .map(done -> new TruncateResult(name, true));
    }

    private static String known() {
        return Arrays.stream(Datasource.values())
                .flatMap(ds -> Stream.of(ds.tableName(), ds.quarantineTableName()))
                .collect(Collectors.joining(", "));
    }
}
