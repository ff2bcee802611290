package io.customeranalytics.ingest.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.customeranalytics.common.error.ApiException;
import io.customeranalytics.common.schema.Datasource;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The Data Sources API's append of a file ({@code POST /v0/datasources?mode=append}): the file is read as a
 * stream, CSV or NDJSON, and written in chunks of at most {@link #CHUNK_ROWS} rows (or {@link #CHUNK_BYTES} of
 * their text), each through the Events API's write path: the same validation, quarantine, idempotency and
 * metrics, one transaction per chunk. Memory holds one chunk whatever the file's size, because the next chunk is
 * read only once the last one has committed: this runs on a worker thread and waits for each commit (the file
 * is a blocking stream, so the wait is what bounds the memory). A gzip file is read decompressed, whether it says
 * so in {@code Content-Encoding} or only by its first bytes.
 */
@ApplicationScoped
public class FileAppend {

    /** The formats of a file. */
    public enum Format { CSV, NDJSON }

    /** What an append stored, for the answer. */
    public record Appended(long successfulRows, long quarantinedRows, UUID importId) {
    }

    static final int CHUNK_ROWS = 5_000;
    static final long CHUNK_BYTES = 8L * 1024 * 1024;
    /** The longest line (NDJSON) or value spanning lines held at once. */
    static final long MAX_VALUE_BYTES = 16L * 1024 * 1024;

    private final IngestService service;
    private final BodyParser parser;

    public FileAppend(IngestService service, ObjectMapper mapper) {
        this.service = service;
        this.parser = new BodyParser(mapper, MAX_VALUE_BYTES);
    }

    /**
     * @param gzip whether the request said {@code Content-Encoding: gzip}; a file that starts as gzip is read as
     *             such either way
     * @throws ApiException 400 when the file cannot be read to its end, 413 for a line longer than
     *                      {@link #MAX_VALUE_BYTES}: the rows read before are stored, and the message says how many
     */
    public Appended append(Datasource datasource, InputStream file, boolean gzip, Format format,
                           char csvDelimiter, Character csvEscape) {
        Chunks chunks = new Chunks(datasource);
        try (InputStream in = decoded(file, gzip)) {
            if (format == Format.CSV) {
                CsvRows.read(in, datasource, new CsvRows.Dialect(csvDelimiter, csvEscape), chunks);
            } else {
                parser.parse(in, chunks);
            }
        } catch (IOException e) {
            // What was read before the failure is stored, so that the message tells the whole truth.
            chunks.flush();
            throw unreadable(e, chunks);
        }
        chunks.flush();
        return new Appended(chunks.successful, chunks.quarantined, chunks.importId);
    }

    private static ApiException unreadable(IOException e, Chunks chunks) {
        String sofar = "the rows before it are appended (successful_rows " + chunks.successful
                + ", quarantined_rows " + chunks.quarantined + ", import_id " + chunks.importId
                + "); sending the file again stores no event twice";
        if (e instanceof LineReader.LineTooLongException) {
            return new ApiException(413, "a line of the file (or a JSON value over several lines) is longer than "
                    + MAX_VALUE_BYTES + " bytes; " + sofar, ApiException.DOC_EVENTS);
        }
        if (e instanceof CsvRows.UnreadableException) {
            return ApiException.badRequest(e.getMessage() + "; " + sofar, ApiException.DOC_EVENTS);
        }
        if (e instanceof ZipException || e instanceof EOFException) {
            return ApiException.badRequest("the file is not complete gzip data; " + sofar, ApiException.DOC_EVENTS);
        }
        return ApiException.badRequest("the file could not be read to its end; " + sofar, ApiException.DOC_EVENTS);
    }

    private static InputStream decoded(InputStream file, boolean gzip) throws IOException {
        InputStream in = new BufferedInputStream(file, 64 * 1024);
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        boolean magic = first == 0x1f && second == 0x8b;
        return gzip || magic ? new GZIPInputStream(in, 64 * 1024) : in;
    }

    /** Collects rows into a batch and writes it, waiting for its commit, each time it is full. */
    private final class Chunks implements BodyParser.Sink {

        private final Datasource datasource;
        private final UUID importId = UUID.randomUUID();
        private Batch batch;
        private long bytes;
        private long successful;
        private long quarantined;

        Chunks(Datasource datasource) {
            this.datasource = datasource;
            this.batch = new Batch(datasource, importId);
        }

        @Override
        public void row(ObjectNode row, String raw) {
            batch.row(row, raw);
            grew(raw);
        }

        @Override
        public void rejected(String raw, String reason) {
            batch.rejected(raw, reason);
            grew(raw);
        }

        private void grew(String raw) {
            bytes += raw.length();
            if (batch.received() >= CHUNK_ROWS || bytes >= CHUNK_BYTES) {
                flush();
            }
        }

        void flush() {
            if (batch.received() == 0) {
                return;
            }
            WriteOutcome outcome;
            try {
                outcome = service.write(batch).await().indefinitely();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
            successful += outcome.stored() + outcome.deduplicated();
            quarantined += outcome.quarantined();
            batch = new Batch(datasource, importId);
            bytes = 0;
        }
    }
}
