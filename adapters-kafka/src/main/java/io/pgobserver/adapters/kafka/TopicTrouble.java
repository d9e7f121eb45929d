package io.pgobserver.adapters.kafka;

import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Why writes to a topic cannot complete although the cluster answers, as the cluster describes the topic: partitions
 * without a leader (an election, or every broker holding a replica down) and, for the producer's {@code acks=all},
 * partitions with fewer in-sync replicas than the topic's {@code min.insync.replicas}, which the leader refuses with
 * {@code NOT_ENOUGH_REPLICAS}. The producer retries both until {@code delivery.timeout.ms} and then says only
 * "Expiring N record(s)", which an operator read as a network problem that was not there.
 *
 * @param topic      the topic
 * @param partitions what is wrong, one entry per partition in trouble; empty when none is
 * @param ofAll      how many partitions the topic has
 * @param refused    why the cluster would not describe the topic to the producer's principal (a missing ACL), else null
 * @param missing    the cluster says the topic does not exist (deleted after the producer learnt its partitions): its
 *                   records wait for a topic that is not there, which is no outage either
 * @param unread     why the topic's {@code min.insync.replicas} is not known although the partitions are, else null
 */
record TopicTrouble(String topic, List<String> partitions, int ofAll, String refused, boolean missing,
                    MinInsyncUnread unread) {

    /**
     * The cluster described the partitions but not the topic's {@code min.insync.replicas} (a principal with the
     * Describe ACL but not DescribeConfigs, or a value that is no number): the partitions are still named, those with
     * replicas out of sync among them, and this says why the setting is missing and how to have it read.
     */
    record MinInsyncUnread(String why, String fix) {
    }

    /** More would make a letter of a topic with many partitions unreadable; the count says the rest. */
    private static final int NAMED = 5;

    TopicTrouble {
        partitions = List.copyOf(partitions);
    }

    /**
     * @param minInsync the topic's {@code min.insync.replicas}, or 0 when the producer does not wait for the in-sync
     *                  replicas ({@code acks} other than {@code all}); like the broker, at most the replication factor
     */
    static TopicTrouble of(TopicDescription description, int minInsync) {
        return of(description, minInsync, null);
    }

    /**
     * With {@code acks=all} but no {@code min.insync.replicas} to compare with: a partition with any replica out of
     * sync is named (too few or not, the setting decides), which is what the description alone tells.
     */
    static TopicTrouble withoutMinInsync(TopicDescription description, MinInsyncUnread unread) {
        return of(description, Integer.MAX_VALUE, unread);
    }

    private static TopicTrouble of(TopicDescription description, int minInsync, MinInsyncUnread unread) {
        List<String> troubles = new ArrayList<>();
        for (TopicPartitionInfo p : description.partitions()) {
            String replicas = brokers(p.replicas());
            String inSync = "(replicas on brokers " + replicas + ", in sync: " + brokers(p.isr()) + ")";
            if (p.leader() == null || p.leader().isEmpty()) {
                troubles.add("partition " + p.partition() + " has no leader (replicas on brokers " + replicas + ")");
            } else if (p.isr().size() < Math.min(minInsync, p.replicas().size())) {
                troubles.add("partition " + p.partition() + (unread != null ? " has " + p.isr().size() + " of its "
                        + p.replicas().size() + " replicas in sync " + inSync : " has too few in-sync replicas: "
                        + p.isr().size() + " of min.insync.replicas " + minInsync + " " + inSync));
            }
        }
        return new TopicTrouble(description.name(), troubles, description.partitions().size(), null, false, unread);
    }

    /** The cluster answered, but would not describe the topic: it is up, and why writes time out is not known. */
    static TopicTrouble undescribed(String topic, String why) {
        return new TopicTrouble(topic, List.of(), 0, why, false, null);
    }

    /** The cluster answered that the topic does not exist. */
    static TopicTrouble missing(String topic) {
        return new TopicTrouble(topic, List.of(), 0, null, true, null);
    }

    boolean found() {
        return !partitions.isEmpty();
    }

    /** {@code partition 0 has no leader (…); partition 2 has too few in-sync replicas: 1 of …}, or that none does. */
    String describe() {
        return unread == null ? partitionsSaid() : partitionsSaid() + "; min.insync.replicas could not be read: "
                + unread.why();
    }

    private String partitionsSaid() {
        if (missing) {
            return "the cluster says the topic does not exist";
        }
        if (refused != null) {
            return "the cluster would not describe the topic to pg-observer (" + refused + ")";
        }
        if (!found()) {
            return "each of its " + ofAll + " partitions has a leader and " + (unread == null ? "enough in-sync replicas"
                    : "all its replicas in sync") + " now";
        }
        String named = String.join("; ", partitions.subList(0, Math.min(NAMED, partitions.size())));
        return partitions.size() > NAMED ? named + "; and " + (partitions.size() - NAMED) + " more of its " + ofAll
                + " partitions" : named;
    }

    /** What brings the writes back (and, when it could not be read, how to have min.insync.replicas read). */
    String fix() {
        return unread == null ? partitionsFix() : partitionsFix() + "; " + unread.fix();
    }

    private String partitionsFix() {
        if (missing) {
            return SendFailures.CREATE_TOPIC;
        }
        if (refused != null) {
            return "kafka-topics.sh --describe --topic " + topic + " shows each partition's leader and in-sync "
                    + "replicas (allow the producer's principal Describe and DescribeConfigs on the topic to have "
                    + "them named here)";
        }
        if (!found()) {
            return "a leader moved or the brokers were slow meanwhile (kafka-topics.sh --describe --topic " + topic
                    + " shows each partition's leader and in-sync replicas)";
        }
        boolean replicasShort = partitions.stream().anyMatch(p -> !p.contains("has no leader"));
        return "bring back the brokers that hold its replicas (kafka-topics.sh --describe --topic " + topic
                + " shows each partition's leader and in-sync replicas)"
                + (replicasShort ? ", or lower the topic's min.insync.replicas" : "");
    }

    private static String brokers(List<Node> nodes) {
        return nodes.isEmpty() ? "none" : nodes.stream().map(Node::idString).collect(Collectors.joining(","));
    }
}
