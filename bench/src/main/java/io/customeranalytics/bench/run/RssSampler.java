package io.customeranalytics.bench.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Samples the resident memory (VmRSS, /proc) of the service processes every 500 ms and keeps each one's peak. */
final class RssSampler implements AutoCloseable {

    private final Map<String, Long> pids;
    private final Map<String, Long> peakKb = new LinkedHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    RssSampler(Map<String, Long> pids) {
        this.pids = pids;
        this.thread = new Thread(this::run, "rss-sampler");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        while (running) {
            sample();
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        pids.forEach((service, pid) -> {
            long kb = rssKb(pid);
            if (kb > 0) {
                peakKb.merge(service, kb, Math::max);
            }
        });
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process ended
        }
        return 0;
    }

    /** Stops sampling and gives each service's peak, in kB. */
    synchronized Map<String, Long> peaks() {
        return new LinkedHashMap<>(peakKb);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        sample();
    }
}
