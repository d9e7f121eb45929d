package io.pgobserver.adapters.tracing.otel;

import io.pgobserver.domain.config.Durations;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The batch span processor's {@code OTEL_BSP_*} variables, which the SDK reads itself, over {@code tracing.batch.*}:
 * held to the bounds of the keys they go over when the configuration is read, so that {@code check-config} and the
 * start refuse (exit 2) what the file could not say either. A value the SDK could not read at all (no number) is left
 * to the SDK's own error.
 */
final class BatchVariables {

    static final String MAX_QUEUE_SIZE = "OTEL_BSP_MAX_QUEUE_SIZE";
    static final String MAX_EXPORT_BATCH_SIZE = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";
    static final String SCHEDULE_DELAY = "OTEL_BSP_SCHEDULE_DELAY";
    static final String EXPORT_TIMEOUT = "OTEL_BSP_EXPORT_TIMEOUT";
    /**
     * Below it the processor stops waiting for an export still under way and sends the next batch beside it, so a
     * slow back-end gets ever more at once; above it nothing changes, since each exporter gives up on its own timeout
     * (10 s by default) long before. No file key sets it.
     */
    static final Duration MIN_EXPORT_TIMEOUT = Duration.ofSeconds(1);
    static final Duration MAX_EXPORT_TIMEOUT = Duration.ofMinutes(5);

    /** The SDK's way of writing a duration: a whole number, in milliseconds unless a unit follows. */
    private static final Pattern SDK_DURATION = Pattern.compile("(-?\\d{1,18})\\s*(ns|us|ms|s|m|h|d)?");

    private BatchVariables() {
    }

    /**
     * @param env  the process's variables
     * @param file the batch settings of the file (and pg-observer's variables and flags), which the variables go over
     * @throws IllegalArgumentException naming the variable, its value, the range and the key it goes over
     */
    static void check(Map<String, String> env, ExportSettings.Batch file) {
        Integer queue = size(env, MAX_QUEUE_SIZE, "tracing.batch.max_queue_size");
        Integer batch = size(env, MAX_EXPORT_BATCH_SIZE, "tracing.batch.max_export_batch_size");
        int queueInEffect = queue == null ? file.maxQueueSize() : queue;
        // Only a batch variable set too large is refused: a queue variable alone below the file's batch size is what
        // the specification allows, and the SDK then sends batches of the queue's size.
        if (batch != null && batch > queueInEffect) {
            throw new IllegalArgumentException(MAX_EXPORT_BATCH_SIZE + "=" + batch + " must not exceed the span queue's"
                    + " size, " + (queue == null ? "tracing.batch.max_queue_size (" + queueInEffect + ")"
                    : MAX_QUEUE_SIZE + "=" + queue) + ", as tracing.batch.max_export_batch_size, which it goes over,"
                    + " must not: lower it, or raise the queue's size");
        }
        duration(env, SCHEDULE_DELAY, ExportSettings.Batch.MIN_SCHEDULE_DELAY, ExportSettings.Batch.MAX_SCHEDULE_DELAY,
                "as tracing.batch.schedule_delay, which it goes over");
        duration(env, EXPORT_TIMEOUT, MIN_EXPORT_TIMEOUT, MAX_EXPORT_TIMEOUT,
                "how long the batch processor waits for an export; no file key sets it");
    }

    private static Integer size(Map<String, String> env, String name, String key) {
        String value = value(env, name);
        if (value == null) {
            return null;
        }
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
        if (parsed < 1 || parsed > ExportSettings.Batch.MAX_SIZE) {
            throw new IllegalArgumentException(name + "=" + value + " is out of range: it must be between 1 and "
                    + ExportSettings.Batch.MAX_SIZE + ", as " + key + ", which it goes over. Set it within that range,"
                    + " or unset it and set " + key);
        }
        return (int) parsed;
    }

    private static void duration(Map<String, String> env, String name, Duration min, Duration max, String what) {
        String value = value(env, name);
        Matcher sdk = value == null ? null : SDK_DURATION.matcher(value);
        if (sdk == null || !sdk.matches()) {
            return;
        }
        TimeUnit unit = switch (sdk.group(2) == null ? "ms" : sdk.group(2)) {
            case "ns" -> TimeUnit.NANOSECONDS;
            case "us" -> TimeUnit.MICROSECONDS;
            case "s" -> TimeUnit.SECONDS;
            case "m" -> TimeUnit.MINUTES;
            case "h" -> TimeUnit.HOURS;
            case "d" -> TimeUnit.DAYS;
            default -> TimeUnit.MILLISECONDS;
        };
        Duration given = Duration.ofNanos(unit.toNanos(Long.parseLong(sdk.group(1))));
        if (given.compareTo(min) < 0 || given.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + "=" + value + " (" + Durations.format(given) + ") is out of"
                    + " range: it must be between " + Durations.format(min) + " and " + Durations.format(max) + " ("
                    + what + "). Write milliseconds, or a number and a unit (5000 or 5s), within that range, or unset"
                    + " it");
        }
    }

    /** A variable's value, blank counting as unset (as the SDK reads it). */
    private static String value(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.trim();
    }
}
