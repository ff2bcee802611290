package io.customeranalytics.common.rules;

/**
 * The kind of a rule operand. Both sides of a comparison, the values of IN and the bounds of BETWEEN must be of
 * one kind; a DateTime or Date is written as a quoted string in one of the API's time formats.
 */
public enum Kind {
    NUMBER("a number"),
    STRING("a string"),
    DATE_TIME("a DateTime in quotes, such as '2023-06-15 14:30:45'"),
    DATE("a Date in quotes, such as '2023-06-15'");

    private final String article;

    Kind(String article) {
        this.article = article;
    }

    /** What an operand of this kind is, for messages: "a number", ... */
    public String withArticle() {
        return article;
    }

    /** Whether a string literal is read as a value of this kind (a DateTime or a Date). */
    public boolean isTime() {
        return this == DATE_TIME || this == DATE;
    }
}
