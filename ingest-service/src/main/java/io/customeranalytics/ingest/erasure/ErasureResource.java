package io.customeranalytics.ingest.erasure;

import io.customeranalytics.common.auth.AdminPermission;
import io.customeranalytics.common.auth.Scope;
import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.error.ErrorBody;
import io.customeranalytics.common.openapi.ErrorResponsesFilter;
import io.customeranalytics.common.schema.ClientText;
import io.customeranalytics.common.schema.Datasource;
import io.quarkus.security.PermissionsAllowed;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * {@code POST /v0/erasures?customer_id=<id>}: erases one customer everywhere (GDPR), scope {@code ADMIN}. HTTP
 * only; the rules live in {@link ErasureService}.
 */
@Path("/v0/erasures")
@Tag(name = "Erasure", description = "Erase one customer everywhere, with an audit record.")
public class ErasureResource {

    static final String DOC_ERASURE = "docs/api.md#erasure";
    /** The longest customer_id the datasources store; a longer one names no customer. */
    static final int MAX_ID_LENGTH = Datasource.CUSTOMER_EVENTS.columns()
            .get(Datasource.CUSTOMER_EVENTS.indexOf("customer_id")).maxLength();

    static final String RESULT_EXAMPLE = """
            {"erasure_id": "0b6f1c1e-0a53-4c55-9d55-0f1c3c0c7a11", "customer_id": "cust-789",
             "customer_sha256": "5e0f4d7c5f3ad1d0d2c8a77b0f5c3e1b7a4ef5a0a0f1c1f6b0d3b1f1e2a9c001",
             "erased_at": "2026-12-02 03:50:00",
             "rows": {"customer_events": 12, "customer_profiles": 1, "customer_events_quarantine": 0,
                      "customer_profiles_quarantine": 0, "customer_changes": 3, "aggregate_rows": 0},
             "aggregate_days_pending": 0, "derived_data_erased": true}""";

    private final ErasureService service;

    public ErasureResource(ErasureService service) {
        this.service = service;
    }

    @POST
    @PermissionsAllowed(value = Scope.ADMIN, permission = AdminPermission.class)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "eraseCustomer", summary = "Erase one customer everywhere",
            description = "Deletes the customer's events, profile and the quarantined rows that hold its id in one"
                    + " transaction, then rebuilds the aggregates' days it was in and waits (up to"
                    + " analytics.erasure.derived-data-wait) for segmentation-service to remove it from the metrics,"
                    + " every segment and the suggestions. The audit record keeps a SHA-256 of the id.")
    @SecurityRequirement(name = "bearer")
    @SecurityRequirement(name = "token")
    @APIResponse(responseCode = "200", description = "Erased; the audit record",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = ErasureResult.class),
                    examples = @ExampleObject(name = "erased", value = RESULT_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Missing, empty, too long or unstorable customer_id",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorBody.class)))
    @APIResponse(responseCode = "403", ref = ErrorResponsesFilter.FORBIDDEN)
    @APIResponse(responseCode = "429", ref = ErrorResponsesFilter.RATE_LIMITED)
    @APIResponse(responseCode = "503", ref = ErrorResponsesFilter.UNAVAILABLE)
    public Uni<ErasureResult> erase(
            @Parameter(description = "The customer to erase", required = true, example = "cust-789")
            @RestQuery("customer_id") String customerId) {
        if (customerId == null || customerId.isEmpty()) {
            throw ApiException.badRequest("missing parameter 'customer_id': the customer to erase", DOC_ERASURE);
        }
        if (customerId.length() > MAX_ID_LENGTH) {
            throw ApiException.badRequest("customer_id is longer than " + MAX_ID_LENGTH
                    + " characters, so no customer has it", DOC_ERASURE);
        }
        String problem = ClientText.problem(customerId);
        if (problem != null) {
            throw ApiException.badRequest("customer_id " + problem, DOC_ERASURE);
        }
        return service.erase(customerId);
    }
}
