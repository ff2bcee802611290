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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The Data Sources API's append of a file ({@code POST /v0/datasources?mode=append}): the file is read as a
 * stream, CSV or NDJSON, and written in chunks of at most {@link #CHUNK_ROWS} rows (or {@link #CHUNK_BYTES} of
 * their text), each through the Events API's write path: the same validation, quarantine, idempotency and
 * metrics, one transaction per chunk. Events are written {@link #EVENT_CHUNKS_IN_FLIGHT} chunks at a time while
 * the next is read (their order does not matter: each event is idempotent on its own); profiles and segments one
 * chunk at a time, in file order, so that the last row for a key wins. Memory holds those chunks whatever the
 * file's size: this runs on a worker thread and waits for a commit before it reads past them (the file is a
 * blocking stream, so the wait is what bounds the memory). A gzip file is read decompressed, whether it says so
 * in {@code Content-Encoding} or only by its first bytes.
 */
@ApplicationScoped
public class FileAppend {

    /** The formats of a file. */
    public enum Format { CSV, NDJSON }

    /** What an append stored, for the answer. */
    public record Appended(long successfulRows, long quarantinedRows, UUID importId) {
    }

    /** Where the append is documented, for its errors. */
    public static final String DOC = "docs/api.md#append-a-file";

    static final int CHUNK_ROWS = 10_000;
    static final long CHUNK_BYTES = 16L * 1024 * 1024;
    /** Event chunks written at once, while the next is read. */
    static final int EVENT_CHUNKS_IN_FLIGHT = 3;
    /** The longest line (NDJSON) or value spanning lines held at once. */
    static final long MAX_VALUE_BYTES = 16L * 1024 * 1024;

    private final IngestService service;
    private final IngestMetrics metrics;
    private final BodyParser parser;

    public FileAppend(IngestService service, IngestMetrics metrics, ObjectMapper mapper) {
        this.service = service;
        this.metrics = metrics;
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
        long start = System.nanoTime();
        LimitedInputStream sent = new LimitedInputStream(file, Long.MAX_VALUE, "the file");
        try {
            return appendAll(datasource, sent, gzip, format, new CsvRows.Dialect(csvDelimiter, csvEscape));
        } finally {
            metrics.recordFile(datasource, sent.count(), System.nanoTime() - start);
        }
    }

    private Appended appendAll(Datasource datasource, InputStream file, boolean gzip, Format format,
                               CsvRows.Dialect dialect) {
        Chunks chunks = new Chunks(datasource);
        try (InputStream in = decoded(file, gzip)) {
            if (format == Format.CSV) {
                CsvRows.read(in, datasource, dialect, chunks);
            } else {
                parser.parse(in, chunks);
            }
        } catch (IOException e) {
            // What was read before the failure is stored, so that the message tells the whole truth.
            chunks.finish();
            throw unreadable(e, chunks);
        }
        chunks.finish();
        return new Appended(chunks.successful, chunks.quarantined, chunks.importId);
    }

    private static ApiException unreadable(IOException e, Chunks chunks) {
        String sofar = "the rows before it are appended (successful_rows " + chunks.successful
                + ", quarantined_rows " + chunks.quarantined + ", import_id " + chunks.importId
                + "); sending the file again stores no event twice";
        if (e instanceof LineReader.LineTooLongException) {
            return new ApiException(413, "a line of the file (or a JSON value over several lines) is longer than "
                    + MAX_VALUE_BYTES + " bytes; " + sofar, DOC);
        }
        if (e instanceof CsvRows.UnreadableException) {
            return ApiException.badRequest(e.getMessage() + "; " + sofar, DOC);
        }
        if (e instanceof ZipException || e instanceof EOFException) {
            return ApiException.badRequest("the file is not complete gzip data; " + sofar, DOC);
        }
        return ApiException.badRequest("the file could not be read to its end; " + sofar, DOC);
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

    /**
     * Collects rows into a batch and writes it each time it is full, with at most {@code inFlight} writes not yet
     * committed.
     */
    private final class Chunks implements BodyParser.Sink {

        private final Datasource datasource;
        private final UUID importId = UUID.randomUUID();
        private final int inFlight;
        private final Deque<CompletableFuture<WriteOutcome>> writing = new ArrayDeque<>();
        private Batch batch;
        private long bytes;
        private long successful;
        private long quarantined;

        Chunks(Datasource datasource) {
            this.datasource = datasource;
            this.inFlight = datasource == Datasource.CUSTOMER_EVENTS ? EVENT_CHUNKS_IN_FLIGHT : 1;
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
                write();
            }
        }

        /** Starts writing the batch, once fewer than {@code inFlight} writes are outstanding. */
        private void write() {
            if (batch.received() == 0) {
                return;
            }
            while (writing.size() >= inFlight) {
                committed(writing.removeFirst());
            }
            if (inFlight > 1) {
                batch.sortEventsByKey();
            }
            writing.addLast(service.write(batch).subscribeAsCompletionStage());
            batch = new Batch(datasource, importId);
            bytes = 0;
        }

        /** Writes what is left and waits for every write to commit; the first failure is thrown. */
        void finish() {
            write();
            RuntimeException failure = null;
            while (!writing.isEmpty()) {
                try {
                    committed(writing.removeFirst());
                } catch (RuntimeException e) {
                    failure = failure == null ? e : failure;
                }
            }
            if (failure != null) {
                throw failure;
            }
        }

        private void committed(CompletableFuture<WriteOutcome> write) {
            WriteOutcome outcome;
            try {
                outcome = write.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
            successful += outcome.stored() + outcome.deduplicated();
            quarantined += outcome.quarantined();
        }
    }
}
