package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.DoneParts;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The done parts of one delivery over its attempts ({@link RunAction} makes one per run): in memory, and, with a
 * delivery log, as delivery records of their own, so that another process running the delivery again (a
 * {@code dlq replay}, the pipeline after a restart) skips them. A part's record is the delivery id, {@code /} and a
 * hash of the part: the log keeps no recipient's address, and the action's own record (the id alone) is untouched,
 * so the action still counts as not done. Retention keeps the records as long as the event may run again: its
 * change_log row, a parked queue or a dead letter holds it.
 */
final class ActionParts implements DoneParts {

    private static final System.Logger LOG = System.getLogger(ActionParts.class.getName());
    private static final VarHandle KNOWN;

    static {
        try {
            KNOWN = MethodHandles.lookup().findVarHandle(ActionParts.class, "known", Map.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String deliveryId;
    private final long offset;
    private final Deliveries log;
    /**
     * Each part this run knows of: true when done, false when the log was asked and has no record of it (it is read
     * once per part, the memory knows the rest). Made at the first question or part done: every run of every action
     * has its parts, and most executors never use them (webhooks, Slack), so a run costs them nothing more.
     */
    private volatile Map<String, Boolean> known;

    /** @param log the delivery log, or null to remember the parts in this run only */
    ActionParts(String deliveryId, long offset, Deliveries log) {
        this.deliveryId = deliveryId;
        this.offset = offset;
        this.log = log;
    }

    @Override
    public Set<String> of(Collection<String> parts) {
        Map<String, Boolean> known = known();
        if (log != null) {
            Map<String, String> byRecord = new LinkedHashMap<>();
            parts.stream().filter(p -> !known.containsKey(p)).forEach(p -> byRecord.put(recordOf(p), p));
            if (!byRecord.isEmpty()) {
                Set<String> recorded;
                try {
                    recorded = log.settled(byRecord.keySet());
                } catch (RuntimeException e) {
                    throw new Unknown("the delivery log cannot say what a former attempt did: " + e.getMessage(), e);
                }
                byRecord.forEach((record, part) -> known.merge(part, recorded.contains(record), Boolean::logicalOr));
            }
        }
        return parts.stream().filter(p -> Boolean.TRUE.equals(known.get(p)))
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public void add(Collection<String> parts) {
        Map<String, Boolean> known = known();
        List<String> fresh = new ArrayList<>();
        for (String part : parts) {
            if (!Boolean.TRUE.equals(known.put(part, true))) {
                fresh.add(part);
            }
        }
        if (log == null || fresh.isEmpty()) {
            return;
        }
        try {
            // Unfenced: a part done is done whoever did it, and a record of it can only keep it from being repeated.
            log.record(null, offset, fresh.stream().map(this::recordOf).toList());
        } catch (InterruptedException e) {
            // The log may still write them (a write under way, or the next one takes them): it cannot be said which.
            Thread.currentThread().interrupt();
            forgotten(fresh.size(), "perhaps not recorded", "interrupted while they were written", "may do");
        } catch (RuntimeException | CheckpointStore.FencedException e) {
            forgotten(fresh.size(), "not recorded", e.getMessage(), "does");
        }
    }

    private void forgotten(int count, String what, String why, String again) {
        LOG.log(System.Logger.Level.WARNING, "delivery " + deliveryId + ": " + count + " part(s) done (such as an"
                + " email's recipients reached) " + what + " in the delivery log (" + why + "); a retry in this"
                + " process skips them, one in another process (a dlq replay) " + again + " them again");
    }

    private Map<String, Boolean> known() {
        Map<String, Boolean> map = known;
        if (map == null) {
            KNOWN.compareAndSet(this, null, new ConcurrentHashMap<String, Boolean>());
            map = known;
        }
        return map;
    }

    private String recordOf(String part) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(part.getBytes(StandardCharsets.UTF_8));
            return deliveryId + "/" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
