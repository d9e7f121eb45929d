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
 */
record TopicTrouble(String topic, List<String> partitions, int ofAll, String refused, boolean missing) {

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
        List<String> troubles = new ArrayList<>();
        for (TopicPartitionInfo p : description.partitions()) {
            String replicas = brokers(p.replicas());
            if (p.leader() == null || p.leader().isEmpty()) {
                troubles.add("partition " + p.partition() + " has no leader (replicas on brokers " + replicas + ")");
            } else if (p.isr().size() < Math.min(minInsync, p.replicas().size())) {
                troubles.add("partition " + p.partition() + " has too few in-sync replicas: " + p.isr().size()
                        + " of min.insync.replicas " + minInsync + " (replicas on brokers " + replicas + ", in sync: "
                        + brokers(p.isr()) + ")");
            }
        }
        return new TopicTrouble(description.name(), troubles, description.partitions().size(), null, false);
    }

    /** The cluster answered, but would not describe the topic: it is up, and why writes time out is not known. */
    static TopicTrouble undescribed(String topic, String why) {
        return new TopicTrouble(topic, List.of(), 0, why, false);
    }

    /** The cluster answered that the topic does not exist. */
    static TopicTrouble missing(String topic) {
        return new TopicTrouble(topic, List.of(), 0, null, true);
    }

    boolean found() {
        return !partitions.isEmpty();
    }

    /** {@code partition 0 has no leader (…); partition 2 has too few in-sync replicas: 1 of …}, or that none does. */
    String describe() {
        if (missing) {
            return "the cluster says the topic does not exist";
        }
        if (refused != null) {
            return "the cluster would not describe the topic to pg-observer (" + refused + ")";
        }
        if (!found()) {
            return "each of its " + ofAll + " partitions has a leader and enough in-sync replicas now";
        }
        String named = String.join("; ", partitions.subList(0, Math.min(NAMED, partitions.size())));
        return partitions.size() > NAMED ? named + "; and " + (partitions.size() - NAMED) + " more of its " + ofAll
                + " partitions" : named;
    }

    /** What brings the writes back. */
    String fix() {
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
        boolean replicasShort = partitions.stream().anyMatch(p -> p.contains("too few in-sync replicas"));
        return "bring back the brokers that hold its replicas (kafka-topics.sh --describe --topic " + topic
                + " shows each partition's leader and in-sync replicas)"
                + (replicasShort ? ", or lower the topic's min.insync.replicas" : "");
    }

    private static String brokers(List<Node> nodes) {
        return nodes.isEmpty() ? "none" : nodes.stream().map(Node::idString).collect(Collectors.joining(","));
    }
}
