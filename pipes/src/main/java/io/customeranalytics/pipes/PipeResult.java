package io.customeranalytics.pipes;

import java.util.List;

/**
 * The rows of one pipe request, with the figures of its {@code statistics}.
 *
 * @param rows            the output values, one array per row, in column order
 * @param rowsBeforeLimit rows the query produced before its LIMIT
 * @param elapsedSeconds  time from sending the query to having mapped its rows
 * @param bytesRead       bytes of the row values received from the database
 */
public record PipeResult(List<PipeColumn> columns, List<Object[]> rows, long rowsBeforeLimit, double elapsedSeconds,
                         long bytesRead) {
}
