package io.pgobserver.adapters.kafka;

import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the cluster's description of a topic says about writes to it, by the brokers' own rule. */
class TopicTroubleTest {

    private static final Node B1 = new Node(1, "b1", 9092);
    private static final Node B2 = new Node(2, "b2", 9092);

    private static TopicDescription topic(TopicPartitionInfo... partitions) {
        return new TopicDescription("orders", false, List.of(partitions));
    }

    /** A broker takes at most the replication factor as the in-sync replicas an acks=all write needs. */
    @Test
    void oneReplicaInSyncOfOneIsEnoughWhateverMinInsyncReplicasSays() {
        TopicTrouble trouble = TopicTrouble.of(topic(new TopicPartitionInfo(0, B1, List.of(B1), List.of(B1))), 3);

        assertThat(trouble.found()).isFalse();
        assertThat(trouble.describe()).isEqualTo("each of its 1 partitions has a leader and enough in-sync replicas now");
    }

    @Test
    void inSyncReplicasCountOnlyWhenTheProducerWaitsForThem() {
        TopicPartitionInfo behind = new TopicPartitionInfo(0, B1, List.of(B1, B2), List.of(B1));

        assertThat(TopicTrouble.of(topic(behind), 2).found()).isTrue();
        assertThat(TopicTrouble.of(topic(behind), 0).found()).as("acks=1").isFalse();
    }

    @Test
    void manyPartitionsInTroubleAreNamedFiveAndCounted() {
        TopicTrouble trouble = TopicTrouble.of(topic(IntStream.range(0, 8).mapToObj(p -> new TopicPartitionInfo(p,
                null, List.of(B2), List.of())).toArray(TopicPartitionInfo[]::new)), 1);

        assertThat(trouble.describe()).startsWith("partition 0 has no leader (replicas on brokers 2); partition 1 ")
                .endsWith("partition 4 has no leader (replicas on brokers 2); and 3 more of its 8 partitions");
        assertThat(trouble.fix()).startsWith("bring back the brokers that hold its replicas")
                .doesNotContain("min.insync.replicas");
    }
}
