package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.databind.JsonNode;
import io.customeranalytics.common.schema.ClientText;
import io.customeranalytics.common.schema.Column;
import io.customeranalytics.common.schema.Datasource;
import io.customeranalytics.common.schema.TimeFormats;
import io.customeranalytics.common.schema.ValueRanges;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validates one JSON object against a datasource's columns (docs/api.md, "Events API"): required values present and
 * non-empty, the right types (numeric strings are accepted for numeric columns), lengths and ranges. Unknown
 * fields are ignored. Every failing column is reported, not only the first.
 */
final class RowValidator {

    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private RowValidator() {
    }

    static ValidatedRow validate(Datasource datasource, JsonNode object) {
        List<Column> columns = datasource.columns();
        Object[] values = new Object[columns.size()];
        List<String> errorColumns = new ArrayList<>(0);
        List<String> errors = new ArrayList<>(0);
        for (int i = 0; i < columns.size(); i++) {
            Column column = columns.get(i);
            JsonNode node = object.get(column.name());
            try {
                values[i] = convert(column, node);
            } catch (InvalidValueException e) {
                errorColumns.add(column.name());
                errors.add(e.getMessage());
            }
        }
        return new ValidatedRow(values, errorColumns, errors);
    }

    static Object convert(Column column, JsonNode node) {
        if (node == null || node.isNull()) {
            if (column.required()) {
                throw new InvalidValueException("required value is missing");
            }
            return null;
        }
        return switch (column.type()) {
            case STRING -> string(column, node);
            case DATETIME -> dateTime(node);
            case DATE -> date(node);
            case FLOAT64 -> float64(column, node);
            case INT32 -> int32(column, node);
        };
    }

    private static String string(Column column, JsonNode node) {
        if (!node.isTextual()) {
            throw new InvalidValueException("expected a string, got " + kind(node));
        }
        String value = node.textValue();
        if (column.required() && value.isEmpty()) {
            throw new InvalidValueException("required value is empty");
        }
        int length = value.codePointCount(0, value.length());
        if (length > column.maxLength()) {
            throw new InvalidValueException("longer than " + column.maxLength() + " characters (" + length + ")");
        }
        String problem = ClientText.problem(value);
        if (problem != null) {
            throw new InvalidValueException(problem);
        }
        return value;
    }

    private static Object dateTime(JsonNode node) {
        if (!node.isTextual()) {
            throw new InvalidValueException("expected a DateTime string, got " + kind(node));
        }
        OffsetDateTime value;
        try {
            value = TimeFormats.parseDateTime(node.textValue());
        } catch (DateTimeException e) {
            throw new InvalidValueException(e.getMessage());
        }
        if (value.isBefore(ValueRanges.FIRST_DATE_TIME) || !value.isBefore(ValueRanges.DATE_TIME_UNTIL)) {
            throw new InvalidValueException("must be from " + TimeFormats.format(ValueRanges.FIRST_DATE_TIME)
                    + " to " + TimeFormats.format(ValueRanges.DATE_TIME_UNTIL.minusSeconds(1)) + " (UTC), got "
                    + describe(node));
        }
        return value;
    }

    private static Object date(JsonNode node) {
        if (!node.isTextual()) {
            throw new InvalidValueException("expected a Date string, got " + kind(node));
        }
        LocalDate value;
        try {
            value = TimeFormats.parseDate(node.textValue());
        } catch (DateTimeException e) {
            throw new InvalidValueException(e.getMessage());
        }
        if (value.isBefore(ValueRanges.FIRST_DATE) || value.isAfter(ValueRanges.LAST_DATE)) {
            throw new InvalidValueException("must be from " + ValueRanges.FIRST_DATE + " to " + ValueRanges.LAST_DATE
                    + ", got " + describe(node));
        }
        return value;
    }

    private static Double float64(Column column, JsonNode node) {
        double value;
        if (node.isNumber()) {
            value = node.doubleValue();
        } else if (node.isTextual() && DECIMAL.matcher(node.textValue().strip()).matches()) {
            value = Double.parseDouble(node.textValue().strip());
        } else {
            throw new InvalidValueException("expected a number, got " + describe(node));
        }
        if (!Double.isFinite(value)) {
            throw new InvalidValueException("must be a finite number, got " + describe(node));
        }
        checkRange(column, value, node);
        return value == 0.0 ? 0.0 : value; // no negative zero
    }

    private static Integer int32(Column column, JsonNode node) {
        BigDecimal value;
        if (node.isNumber() && !Double.isFinite(node.doubleValue()) && (node.isDouble() || node.isFloat())) {
            // A JSON number beyond the double range (1e400) is read as an infinite double, which has no decimal.
            throw new InvalidValueException("out of range for Int32, got " + describe(node));
        } else if (node.isNumber()) {
            value = node.decimalValue();
        } else if (node.isTextual() && DECIMAL.matcher(node.textValue().strip()).matches()) {
            try {
                value = new BigDecimal(node.textValue().strip());
            } catch (NumberFormatException | ArithmeticException e) {
                throw new InvalidValueException("expected an integer, got " + describe(node));
            }
        } else {
            throw new InvalidValueException("expected an integer, got " + describe(node));
        }
        int intValue;
        try {
            intValue = value.intValueExact();
        } catch (ArithmeticException e) {
            if (value.stripTrailingZeros().scale() > 0) {
                throw new InvalidValueException("expected an integer, got " + describe(node));
            }
            throw new InvalidValueException("out of range for Int32, got " + describe(node));
        }
        checkRange(column, intValue, node);
        return intValue;
    }

    private static void checkRange(Column column, double value, JsonNode node) {
        if (column.min() != null && value < column.min()) {
            throw new InvalidValueException("must be >= " + number(column.min()) + ", got " + describe(node));
        }
        if (column.max() != null && value > column.max()) {
            throw new InvalidValueException("must be <= " + number(column.max()) + ", got " + describe(node));
        }
    }

    private static String number(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "'" + TimeFormats.abbreviate(node.textValue()) + "'";
        }
        if (node.isNumber()) {
            return node.asText();
        }
        return kind(node);
    }

    /** What kind of JSON value {@code node} is, for messages: "a string", "an array", ... ("nothing" if absent). */
    public static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            default -> "null";
        };
    }

    /** A value that breaks its column's rule; the message is for the quarantine's {@code c__error}. */
    static final class InvalidValueException extends RuntimeException {
        InvalidValueException(String message) {
            super(message, null, false, false);
        }
    }
}
