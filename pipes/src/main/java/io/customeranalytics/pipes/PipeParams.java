package io.customeranalytics.pipes;

import java.time.OffsetDateTime;
import java.util.Map;

/** The typed values of one request's parameters, by name; absent optional parameters are null. */
public record PipeParams(Map<String, Object> values) {

    public Object get(String name) {
        return values.get(name);
    }

    public String string(String name) {
        return (String) values.get(name);
    }

    public OffsetDateTime dateTime(String name) {
        return (OffsetDateTime) values.get(name);
    }

    public Integer int32(String name) {
        return (Integer) values.get(name);
    }

    public Double float64(String name) {
        return (Double) values.get(name);
    }

    public boolean has(String name) {
        return values.get(name) != null;
    }
}
