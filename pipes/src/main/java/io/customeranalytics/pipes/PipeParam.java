package io.customeranalytics.pipes;

import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.schema.ClientText;
import io.customeranalytics.common.schema.TimeFormats;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One declared parameter of a pipe endpoint: its type, whether it is required, its default and bounds. Parsing
 * a raw query value gives the typed value or a 400 that names the parameter and the expected format.
 *
 * @param defaultValue the value used when the parameter is absent (already typed), or null
 * @param min          for Int32, the least value allowed
 * @param max          for Int32, the greatest value allowed
 * @param allowed      for enums, the values allowed
 */
public record PipeParam(String name, ParamType type, boolean required, Object defaultValue, Long min, Long max,
                        List<String> allowed, String description, String example) {

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    public static PipeParam string(String name, String description, String example) {
        return new PipeParam(name, ParamType.STRING, false, null, null, null, List.of(), description, example);
    }

    public static PipeParam dateTime(String name, String description, String example) {
        return new PipeParam(name, ParamType.DATETIME, false, null, null, null, List.of(), description, example);
    }

    /** An inclusive upper bound (TimeFormats.parseEndDateTime): given to the second, it covers that second. */
    public static PipeParam endDateTime(String name, String description, String example) {
        return new PipeParam(name, ParamType.END_DATETIME, false, null, null, null, List.of(), description, example);
    }

    public static PipeParam int32(String name, int defaultValue, long min, long max, String description) {
        return new PipeParam(name, ParamType.INT32, false, defaultValue, min, max, List.of(), description,
                Integer.toString(defaultValue));
    }

    /** An optional Int32 from {@code min} to {@code max}, absent when not given. */
    public static PipeParam int32(String name, long min, long max, String description, String example) {
        return new PipeParam(name, ParamType.INT32, false, null, min, max, List.of(), description, example);
    }

    public static PipeParam float64(String name, String description, String example) {
        return new PipeParam(name, ParamType.FLOAT64, false, null, null, null, List.of(), description, example);
    }

    public static PipeParam oneOf(String name, List<String> allowed, String defaultValue, String description) {
        return new PipeParam(name, ParamType.ENUM, false, defaultValue, null, null, List.copyOf(allowed), description,
                defaultValue != null ? defaultValue : allowed.get(0));
    }

    /** The standard {@code limit}: an integer from 1 to {@code max}, {@code defaultValue} when absent. */
    public static PipeParam limit(int defaultValue, int max) {
        return int32("limit", defaultValue, 1, max, "Most rows to return (1.." + max + ")");
    }

    public PipeParam asRequired() {
        return new PipeParam(name, type, true, defaultValue, min, max, allowed, description, example);
    }

    /** The typed value of {@code raw} (a query parameter's text; null or empty when absent). */
    public Object parse(String raw) {
        if (raw == null || raw.isEmpty()) {
            if (required) {
                throw invalid("missing required parameter '" + name + "' (" + expected() + ")");
            }
            return defaultValue;
        }
        String problem = ClientText.problem(raw);
        if (problem != null) {
            throw ApiException.badRequest("parameter '" + name + "' " + problem, ApiException.DOC_PIPES);
        }
        return switch (type) {
            case STRING -> raw;
            case DATETIME, END_DATETIME -> {
                try {
                    yield type == ParamType.END_DATETIME
                            ? TimeFormats.parseEndDateTime(raw) : TimeFormats.parseDateTime(raw);
                } catch (DateTimeException e) {
                    throw invalid(raw);
                }
            }
            case DATE -> {
                try {
                    yield TimeFormats.parseDate(raw);
                } catch (DateTimeException e) {
                    throw invalid(raw);
                }
            }
            case INT32 -> parseInt(raw);
            case FLOAT64 -> parseFloat(raw);
            case ENUM -> {
                if (!allowed.contains(raw)) {
                    throw invalid(raw);
                }
                yield raw;
            }
        };
    }

    private Integer parseInt(String raw) {
        String text = raw.strip();
        if (!INTEGER.matcher(text).matches()) {
            throw invalid(raw);
        }
        BigDecimal value = new BigDecimal(text);
        long lower = min == null ? Integer.MIN_VALUE : min;
        long upper = max == null ? Integer.MAX_VALUE : max;
        if (value.compareTo(BigDecimal.valueOf(lower)) < 0 || value.compareTo(BigDecimal.valueOf(upper)) > 0) {
            throw invalid(raw);
        }
        return value.intValueExact();
    }

    private Double parseFloat(String raw) {
        String text = raw.strip();
        if (!DECIMAL.matcher(text).matches()) {
            throw invalid(raw);
        }
        double value = Double.parseDouble(text);
        if (!Double.isFinite(value)) {
            throw invalid(raw);
        }
        return value;
    }

    /** What a valid value looks like, for messages and documentation. */
    public String expected() {
        return switch (type) {
            case STRING -> "a string";
            case DATETIME, END_DATETIME -> "a DateTime as " + TimeFormats.DATE_TIME_FORMATS;
            case DATE -> "a Date as " + TimeFormats.DATE_FORMAT;
            case INT32 -> "an integer from " + (min == null ? Integer.MIN_VALUE : min) + " to "
                    + (max == null ? Integer.MAX_VALUE : max);
            case FLOAT64 -> "a finite number";
            case ENUM -> "one of " + String.join(", ", allowed);
        };
    }

    private ApiException invalid(String rawOrMessage) {
        if (rawOrMessage.startsWith("missing required parameter")) {
            return ApiException.badRequest(rawOrMessage, ApiException.DOC_PIPES);
        }
        String shown = rawOrMessage.length() <= 64 ? rawOrMessage : rawOrMessage.substring(0, 61) + "...";
        return ApiException.badRequest("parameter '" + name + "' must be " + expected() + ", got '" + shown + "'",
                ApiException.DOC_PIPES);
    }
}
