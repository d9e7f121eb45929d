package io.pgobserver.application;

import io.pgobserver.domain.port.CheckpointStore;
import io.pgobserver.domain.port.Deliveries;
import io.pgobserver.domain.port.DoneParts;

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
 * so the action still counts as not done. The records are kept with the event's change_log row, as the action's.
 */
final class ActionParts implements DoneParts {

    private static final System.Logger LOG = System.getLogger(ActionParts.class.getName());

    private final String deliveryId;
    private final long offset;
    private final Deliveries log;
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    /** Parts already asked of the log: it is read once per part, the memory knows the rest. */
    private final Set<String> asked = ConcurrentHashMap.newKeySet();

    /** @param log the delivery log, or null to remember the parts in this run only */
    ActionParts(String deliveryId, long offset, Deliveries log) {
        this.deliveryId = deliveryId;
        this.offset = offset;
        this.log = log;
    }

    @Override
    public Set<String> of(Collection<String> parts) {
        if (log != null) {
            Map<String, String> byRecord = new LinkedHashMap<>();
            parts.stream().filter(p -> !done.contains(p) && !asked.contains(p))
                    .forEach(p -> byRecord.put(recordOf(p), p));
            if (!byRecord.isEmpty()) {
                Set<String> recorded;
                try {
                    recorded = log.settled(byRecord.keySet());
                } catch (RuntimeException e) {
                    throw new Unknown("the delivery log cannot say what a former attempt did: " + e.getMessage(), e);
                }
                recorded.forEach(r -> done.add(byRecord.get(r)));
                asked.addAll(byRecord.values());
            }
        }
        return parts.stream().filter(done::contains).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public void add(Collection<String> parts) {
        List<String> fresh = new ArrayList<>();
        for (String part : parts) {
            if (done.add(part)) {
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
            Thread.currentThread().interrupt();
            forgotten(fresh.size(), "interrupted");
        } catch (RuntimeException | CheckpointStore.FencedException e) {
            forgotten(fresh.size(), e.getMessage());
        }
    }

    private void forgotten(int count, String why) {
        LOG.log(System.Logger.Level.WARNING, "delivery " + deliveryId + ": " + count + " part(s) done (such as an"
                + " email's recipients reached) not recorded in the delivery log (" + why + "); a retry in this"
                + " process skips them, one in another process (a dlq replay) does them again");
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
