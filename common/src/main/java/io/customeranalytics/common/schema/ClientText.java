package io.customeranalytics.common.schema;

/**
 * The one check of text from a client before it can reach SQL: row values, pipe parameters and rule literals all
 * pass through here. PostgreSQL's text cannot hold a NUL character (byte 0x00) and a Java string can hold a lone
 * UTF-16 surrogate that has no UTF-8 encoding: either would fail the statement (a 500 for the whole request) or
 * be stored wrongly, so both are refused here with a message for the client.
 */
public final class ClientText {

    private ClientText() {
    }

    /** Why {@code text} cannot be stored or compared in PostgreSQL, or null when it can. */
    public static String problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\0') {
                return "contains a NUL character (\\u0000) at position " + (i + 1) + ", which cannot be stored";
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "contains an unpaired UTF-16 surrogate (\\u" + Integer.toHexString(c)
                        + ") at position " + (i + 1) + ", which is not valid Unicode text";
            }
        }
        return null;
    }
}
