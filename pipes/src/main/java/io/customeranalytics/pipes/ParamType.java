package io.customeranalytics.pipes;

/** The types of pipe parameters, named as in Tinybird's pipe templates. */
public enum ParamType {
    STRING("String"),
    DATETIME("DateTime"),
    /** A DateTime that bounds a range from above, inclusive: to the second, it covers that whole second. */
    END_DATETIME("DateTime"),
    DATE("Date"),
    INT32("Int32"),
    FLOAT64("Float64"),
    ENUM("String");

    private final String typeName;

    ParamType(String typeName) {
        this.typeName = typeName;
    }

    public String typeName() {
        return typeName;
    }
}
