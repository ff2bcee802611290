package io.customeranalytics.common.openapi;

import io.quarkus.smallrye.openapi.OpenApiFilter;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * The two ways to send a token (docs/api.md, "Authentication"), declared once for every service's OpenAPI document:
 * {@code bearer} (Authorization header) and {@code token} (query parameter, which wins when both are sent).
 * Operations refer to them with {@code @SecurityRequirement(name = "bearer")} and {@code (name = "token")}.
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class SecuritySchemesFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Components components = openAPI.getComponents();
        if (components == null) {
            components = OASFactory.createComponents();
            openAPI.setComponents(components);
        }
        components.addSecurityScheme("bearer", OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.HTTP)
                .scheme("bearer")
                .description("Authorization: Bearer <token>: a configured token, or a Tinybird JWT (HS256)"));
        components.addSecurityScheme("token", OASFactory.createSecurityScheme()
                .type(SecurityScheme.Type.APIKEY)
                .name("token")
                .in(SecurityScheme.In.QUERY)
                .description("?token=<token> (wins over the Authorization header)"));
    }
}
