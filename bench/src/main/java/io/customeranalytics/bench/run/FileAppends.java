package io.customeranalytics.bench.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.customeranalytics.bench.data.CsvCopy;
import io.customeranalytics.bench.data.LoadScaleData;
import io.customeranalytics.bench.data.ScaleData;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * The Data Sources API's file cases: the case's rows written as one CSV file with a header, appended in one
 * request ({@code POST /v0/datasources?name=customer_events&mode=append&format=csv}), beside the COPY of the same
 * rows in one statement (BenchRun). The file goes as a multipart file part named {@code csv}, as the SDK sends it,
 * or as the whole body.
 */
final class FileAppends {

    record FileCase(String name, boolean multipart, boolean gzip, int rows) {

        String description() {
            return "one " + (gzip ? "gzip " : "") + "CSV file of " + rows + " rows, as a "
                    + (multipart ? "multipart file part (the SDK's shape)" : "request body");
        }
    }

    static final List<FileCase> ALL = List.of(
            new FileCase("file_csv_multipart", true, false, 400_000),
            new FileCase("file_csv_gzip_body", false, true, 400_000));

    private static final ObjectMapper JSON = new ObjectMapper();

    private FileAppends() {
    }

    static Path write(Path dir, FileCase fileCase, List<ScaleData.Event> rows) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(fileCase.name() + (fileCase.gzip() ? ".csv.gz" : ".csv"));
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream out = fileCase.gzip() ? new GZIPOutputStream(raw, 1 << 16) : raw;
             Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            writer.write("event_id,customer_id,event_type,event_timestamp,session_id,page_url,product_id,category_id,"
                    + "device_type,country,referrer,user_agent,price,quantity\n");
            StringBuilder line = new StringBuilder();
            for (ScaleData.Event e : rows) {
                line.setLength(0);
                CsvCopy.append(line, LoadScaleData.eventValues(e));
                writer.write(line.toString());
            }
        }
        return file;
    }

    /** Appends the file; answers the seconds it took, after checking that every row was stored. */
    static double post(URI ingest, String token, FileCase fileCase, Path file, int rows) throws Exception {
        URI uri = ingest.resolve("/v0/datasources?name=customer_events&mode=append&format=csv");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofMinutes(30));
        if (fileCase.multipart()) {
            String boundary = "bench-" + UUID.randomUUID();
            request.header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.concat(
                            HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data;"
                                    + " name=\"csv\"; filename=\"" + file.getFileName() + "\"\r\nContent-Type:"
                                    + " application/octet-stream\r\n\r\n"),
                            HttpRequest.BodyPublishers.ofFile(file),
                            HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n")));
        } else {
            request.header("Content-Type", "text/csv");
            if (fileCase.gzip()) {
                request.header("Content-Encoding", "gzip");
            }
            request.POST(HttpRequest.BodyPublishers.ofFile(file));
        }
        long start = System.nanoTime();
        HttpResponse<String> answer = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - start) / 1e9;
        JsonNode body = JSON.readTree(answer.body());
        if (answer.statusCode() != 200 || body.path("successful_rows").asLong() != rows) {
            throw new IllegalStateException(fileCase.name() + ": " + answer.statusCode() + " " + answer.body());
        }
        return seconds;
    }
}
