package io.customeranalytics.common.error;

import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The one error shape of the API: {@code {"error": "...", "documentation": "..."}}. */
// Serialized by Jackson from a Response entity, which native builds do not discover on their own.
@RegisterForReflection
@Schema(name = "Error", description = "Every error answer of the API has this shape.")
public record ErrorBody(
        @Schema(description = "What went wrong, specific and safe to show.",
                example = "missing token: send it as ?token=... or as an 'Authorization: Bearer ...' header")
        String error,
        @Schema(description = "Where the rule that was broken is documented.", example = "docs/api.md#authentication")
        String documentation) {
}
