package io.customeranalytics.common.openapi;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * The error answers every operation can give, declared once for every service's OpenAPI document and referred to
 * by name: {@code @APIResponse(responseCode = "403", ref = FORBIDDEN)}, likewise {@link #RATE_LIMITED} (429)
 * and {@link #UNAVAILABLE} (503). Each has the {@code Error} body; the last two have {@code Retry-After}.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class ErrorResponsesFilter implements OASFilter {

    public static final String FORBIDDEN = "Forbidden";
    public static final String RATE_LIMITED = "RateLimited";
    public static final String UNAVAILABLE = "Unavailable";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents();
        if (components == null) {
            components = OASFactory.createComponents();
            openAPI.setComponents(components);
        }
        components.addResponse(FORBIDDEN, error("Missing token, unknown token (or an expired, badly signed or"
                + " malformed JWT), or a token without the scope the operation needs; the message says which"));
        components.addResponse(RATE_LIMITED, withRetryAfter(error("The token is over its rate limit; nothing was"
                + " done; retry after the Retry-After seconds")));
        components.addResponse(UNAVAILABLE, withRetryAfter(error("The database is unavailable or gave up on the"
                + " statement, or a capacity bound of the service was reached; nothing was done; retry after the"
                + " Retry-After seconds")));
    }

    /** An error answer with the one {@code Error} body, for the statuses an operation documents itself. */
    public static APIResponse error(String description) {
        return OASFactory.createAPIResponse()
                .description(description)
                .content(OASFactory.createContent().addMediaType("application/json",
                        OASFactory.createMediaType().schema(OASFactory.createSchema()
                                .ref("#/components/schemas/Error"))));
    }

    private static APIResponse withRetryAfter(APIResponse response) {
        return response.addHeader("Retry-After", OASFactory.createHeader()
                .description("Seconds to wait before retrying")
                .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).format("int32")));
    }
}
