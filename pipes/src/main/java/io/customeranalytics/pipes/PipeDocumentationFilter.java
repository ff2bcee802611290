package io.customeranalytics.pipes;

import io.customeranalytics.common.openapi.ErrorResponsesFilter;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import jakarta.enterprise.inject.Any;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Documents every pipe endpoint a service declares as a path of its own, {@code /v0/pipes/<name>.json}, from the
 * endpoint's declaration (the same objects that parse the parameters and write the rows): an operationId, each
 * parameter with its type, bounds, default and example, and a response schema whose {@code data} items have the
 * endpoint's columns. The generic {@code /v0/pipes/{pipe}.{format}} path stays for CSV and NDJSON.
 */
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_STARTUP)
public class PipeDocumentationFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        ArcContainer container = Arc.container();
        if (container == null) {
            return;
        }
        List<PipeEndpoint> endpoints = new ArrayList<>();
        container.select(PipeEndpoint.class, Any.Literal.INSTANCE).forEach(endpoints::add);
        endpoints.sort(Comparator.comparing(PipeEndpoint::name));
        if (endpoints.isEmpty()) {
            return;
        }
        Components components = openAPI.getComponents();
        if (components == null) {
            components = OASFactory.createComponents();
            openAPI.setComponents(components);
        }
        if (openAPI.getPaths() == null) {
            openAPI.setPaths(OASFactory.createPaths());
        }
        for (PipeEndpoint endpoint : endpoints) {
            String type = pascal(endpoint.name());
            Schema row = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                    .description("One row of " + endpoint.name());
            for (PipeColumn column : endpoint.columns()) {
                row.addProperty(column.name(), columnSchema(column));
                if (!column.type().startsWith("Nullable(")) {
                    row.addRequired(column.name());
                }
            }
            components.addSchema(type + "Row", row);
            components.addSchema(type + "Response", OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                    .description("The JSON answer of " + endpoint.name())
                    .addProperty("meta", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY)
                            .items(OASFactory.createSchema().ref("PipeColumnMeta")))
                    .addProperty("data", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY)
                            .items(OASFactory.createSchema().ref(type + "Row")))
                    .addProperty("rows", integer("int64"))
                    .addProperty("rows_before_limit_at_least", integer("int64"))
                    .addProperty("statistics", OASFactory.createSchema().ref("PipeStatistics")));

            Operation operation = OASFactory.createOperation()
                    .operationId(camel(endpoint.name()))
                    .summary(endpoint.description())
                    .addTag("Pipes")
                    .addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme("bearer"))
                    .addSecurityRequirement(OASFactory.createSecurityRequirement().addScheme("token"))
                    .responses(responses(type + "Response"));
            for (PipeParam param : endpoint.params()) {
                operation.addParameter(parameter(param));
            }
            openAPI.getPaths().addPathItem("/v0/pipes/" + endpoint.name() + ".json",
                    OASFactory.createPathItem().GET(operation));
        }
    }

    private static APIResponses responses(String responseSchema) {
        APIResponses responses = OASFactory.createAPIResponses()
                .addAPIResponse("200", OASFactory.createAPIResponse().description("The endpoint's rows")
                        .content(OASFactory.createContent().addMediaType("application/json",
                                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(responseSchema)))));
        responses.addAPIResponse("400",
                ErrorResponsesFilter.error("A missing or malformed parameter, named in the message"));
        responses.addAPIResponse("403", OASFactory.createAPIResponse().ref(ErrorResponsesFilter.FORBIDDEN));
        responses.addAPIResponse("404", ErrorResponsesFilter.error("Unknown endpoint (or segment)"));
        responses.addAPIResponse("429", OASFactory.createAPIResponse().ref(ErrorResponsesFilter.RATE_LIMITED));
        responses.addAPIResponse("503", OASFactory.createAPIResponse().ref(ErrorResponsesFilter.UNAVAILABLE));
        return responses;
    }

    private static Parameter parameter(PipeParam param) {
        Schema schema = switch (param.type()) {
            case INT32 -> integer("int32");
            case FLOAT64 -> OASFactory.createSchema().addType(Schema.SchemaType.NUMBER).format("double");
            case DATE -> OASFactory.createSchema().addType(Schema.SchemaType.STRING).format("date");
            case DATETIME, END_DATETIME -> OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                    .pattern("^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}.*$");
            case ENUM -> OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                    .enumeration(new ArrayList<>(param.allowed()));
            case STRING -> OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        };
        if (param.min() != null) {
            schema.minimum(BigDecimal.valueOf(param.min()));
        }
        if (param.max() != null) {
            schema.maximum(BigDecimal.valueOf(param.max()));
        }
        if (param.defaultValue() != null) {
            schema.defaultValue(param.defaultValue());
        }
        Parameter parameter = OASFactory.createParameter()
                .name(param.name())
                .in(Parameter.In.QUERY)
                .required(param.required())
                .description(param.description() + " (" + param.expected() + ")")
                .schema(schema);
        if (param.example() != null) {
            parameter.example(param.example());
        }
        return parameter;
    }

    private static Schema columnSchema(PipeColumn column) {
        Schema schema = switch (column.baseType()) {
            case "Float64" -> OASFactory.createSchema().addType(Schema.SchemaType.NUMBER).format("double");
            case "Int32", "UInt8" -> integer("int32");
            case "UInt64" -> integer("int64");
            case "Date" -> OASFactory.createSchema().addType(Schema.SchemaType.STRING).format("date");
            case "DateTime" -> OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                    .description("YYYY-MM-DD HH:MM:SS, UTC");
            case "Array(String)" -> OASFactory.createSchema().addType(Schema.SchemaType.ARRAY)
                    .items(OASFactory.createSchema().addType(Schema.SchemaType.STRING));
            default -> OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        };
        if (column.type().startsWith("Nullable(")) {
            schema.addType(Schema.SchemaType.NULL);
        }
        return schema;
    }

    private static Schema integer(String format) {
        return OASFactory.createSchema().addType(Schema.SchemaType.INTEGER).format(format);
    }

    static String pascal(String snake) {
        StringBuilder out = new StringBuilder();
        for (String part : snake.split("_")) {
            if (!part.isEmpty()) {
                out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return out.toString();
    }

    static String camel(String snake) {
        String pascal = pascal(snake);
        return Character.toLowerCase(pascal.charAt(0)) + pascal.substring(1);
    }
}
