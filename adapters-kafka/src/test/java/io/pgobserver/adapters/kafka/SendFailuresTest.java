package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.port.ActionResult;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.internals.Topic;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * What each failure a real cluster gives means for delivery and what its letter says, with Kafka's own exception
 * types and messages (as {@code KafkaExecutorIT} saw them from a real broker); the ones a single test broker
 * cannot give (too few in-sync replicas, a leader election, an old broker's cluster ACL) only here.
 */
class SendFailuresTest {

    private static final SendFailures ALICE = new SendFailures("User:alice");

    /** 100 bytes of value, 3 of key, 5 + 4 of header: 112 bytes. */
    private static final ProducerRecord<byte[], byte[]> RECORD = new ProducerRecord<>("orders", null,
            "key".getBytes(StandardCharsets.UTF_8), new byte[100],
            new RecordHeaders().add("trace", "1234".getBytes(StandardCharsets.UTF_8)));

    private static ActionResult.Failure classify(Throwable e) {
        return ALICE.classify(RECORD, new ExecutionException(e));
    }

    @Test
    void aRecordOverTheProducersMaxRequestSizeNamesItsSizeAndBothSettings() {
        ActionResult.Failure f = classify(new RecordTooLargeException("The message is 4517 bytes when serialized "
                + "which is larger than 2000, which is the value of the max.request.size configuration."));

        assertThat(f.permanent()).isTrue();
        assertThat(f.errorType()).isEqualTo("MESSAGE_TOO_LARGE");
        assertThat(f.message()).startsWith("kafka topic 'orders': the record is 112 bytes (key, value and headers), "
                        + "more than the producer's max.request.size allows")
                .contains("raise kafka.properties.max.request.size and the topic's max.message.bytes", "4517 bytes");
    }

    @Test
    void aRecordTheBrokerRefusesAsTooLargeNamesTheTopicsLimitAndItsSize() {
        ActionResult.Failure f = classify(new RecordTooLargeException("The request included a message larger than "
                + "the max message size the server will accept."));

        assertThat(f.permanent()).isTrue();
        assertThat(f.errorType()).isEqualTo("MESSAGE_TOO_LARGE");
        assertThat(f.message()).contains("the record is 112 bytes", "more than the topic's max.message.bytes (the "
                + "broker's message.max.bytes when the topic does not set it) allows", "kafka.properties.max.request.size");
    }

    @Test
    void aMissingTopicAclNamesThePrincipalAndTheAclToAdd() {
        ActionResult.Failure f = classify(new TopicAuthorizationException(Set.of("orders")));

        assertThat(f.permanent()).isTrue();
        assertThat(f.errorType()).isEqualTo("TOPIC_AUTHORIZATION_FAILED");
        assertThat(f.message()).contains("User:alice may not write to it",
                "kafka-acls.sh --add --allow-principal User:alice --operation Write --topic orders");
    }

    /** Not the topic's WRITE: an old broker wants IDEMPOTENT_WRITE on the cluster of an idempotent producer. */
    @Test
    void aRefusedIdempotentProducerNamesTheClusterAcl() {
        ActionResult.Failure f = classify(new ClusterAuthorizationException("Cluster authorization failed."));

        assertThat(f.permanent()).isTrue();
        assertThat(f.errorType()).isEqualTo("CLUSTER_AUTHORIZATION_FAILED");
        assertThat(f.message()).contains("--allow-principal User:alice --operation IdempotentWrite --cluster");
    }

    @Test
    void aRefusedLoginIsPermanentAndNamesTheSettings() {
        ActionResult.Failure f = classify(new SaslAuthenticationException("Authentication failed: Invalid username "
                + "or password"));

        assertThat(f.permanent()).isTrue();
        assertThat(f.errorType()).isEqualTo("SASL_AUTHENTICATION_FAILED");
        assertThat(f.message()).contains("Invalid username or password", "sasl.jaas.config's username and password");
    }

    /**
     * A broker certificate the JVM does not trust is said as for the other action types, not as a refused login
     * (which sent the operator to a username and password that were right); the producer's own exception chain.
     */
    @Test
    void anUntrustedBrokerCertificateIsSaidAsACertificateNotALogin() {
        SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed: unable to find valid "
                + "certification path to requested target");
        handshake.initCause(new CertificateException("unable to find valid certification path to requested target"));
        ActionResult.Failure untrusted = classify(new SslAuthenticationException("SSL handshake failed", handshake));
        ActionResult.Failure refused = classify(new SslAuthenticationException("SSL handshake failed",
                new SSLHandshakeException("Received fatal alert: bad_certificate")));

        assertThat(untrusted.permanent()).isTrue();
        assertThat(untrusted.message()).startsWith("kafka: TLS certificate not accepted (PKIX path building failed: "
                + "unable to find valid certification path to requested target); not retried: the JVM does not trust")
                .contains("set ssl.truststore.location and ssl.truststore.password in kafka.properties")
                .doesNotContain("login");
        assertThat(refused.permanent()).isTrue();
        assertThat(refused.message()).startsWith("kafka: the TLS handshake with the brokers failed (Received fatal "
                + "alert: bad_certificate); not retried: check the ssl.* settings").doesNotContain("login");
    }

    /**
     * The producer surfaces the JDK's refusals as the webhooks' and email's client do, so the rule they share decides:
     * a peer the handshake left unverified (Kafka passes SSLPeerUnverifiedException on) is a certificate refused, and
     * the reason said is the refusal's, with the certificate's names on one line, not a wrapper's; Kafka's own fix.
     */
    @Test
    void aCertificateRefusedByTheRuleTheOtherActionsShareKeepsKafkasFix() {
        ActionResult.Failure unverified = classify(new SslAuthenticationException("SSL handshake failed",
                new SSLPeerUnverifiedException("Hostname broker-1 not verified:\n    certificate: sha256/AbC=\n"
                        + "    subjectAltNames: [broker-2]")));
        SSLHandshakeException misnamed = new SSLHandshakeException("No subject alternative DNS name matching "
                + "broker-1 found.");
        misnamed.initCause(new CertificateException("No subject alternative DNS name matching broker-1 found."));
        ActionResult.Failure wrapped = classify(new SslAuthenticationException("SSL handshake failed",
                new SSLException("Unexpected error during the handshake", misnamed)));

        assertThat(unverified.permanent()).isTrue();
        assertThat(unverified.message()).startsWith("kafka: TLS certificate not accepted (Hostname broker-1 not "
                + "verified: certificate: sha256/AbC= subjectAltNames: [broker-2]); not retried: the JVM does not "
                + "trust").contains("set ssl.truststore.location and ssl.truststore.password in kafka.properties");
        assertThat(wrapped.message()).startsWith("kafka: TLS certificate not accepted (No subject alternative DNS "
                + "name matching broker-1 found.); not retried:").contains("connect by a name it names");
    }

    @Test
    void anIllegalRenderedTopicNamesTheNameAndTheRule() {
        for (String name : List.of("orders shipped", "x".repeat(250))) {
            InvalidTopicException e = catchThrowableOfType(InvalidTopicException.class, () -> Topic.validate(name));

            ActionResult.Failure f = SendFailures.invalidTopic("kafka {{after.t}}", name, e);

            assertThat(f.permanent()).isTrue();
            assertThat(f.errorType()).isEqualTo("INVALID_TOPIC_EXCEPTION");
            assertThat(f.message()).startsWith("kafka {{after.t}}: topic '" + name + "' is not a valid topic name")
                    .contains(e.getMessage(), "change the action's topic template", "1 to 249 ASCII letters");
        }
    }

    @Test
    void aMissingTopicIsNamedAsKafkaNamesItNotAsATimeout() {
        ActionResult.Failure f = SendFailures.missingTopic("nope", new TimeoutException("Topic nope not present in "
                + "metadata after 1000 ms."));

        assertThat(f.permanent()).isTrue();
        assertThat(f.errorType()).isEqualTo("UNKNOWN_TOPIC_OR_PARTITION");
        assertThat(f.message()).contains("'nope' does not exist: create it", "topic template");
    }

    /** What passes: too few in-sync replicas, a leader moving, the producer giving up after delivery.timeout.ms. */
    @Test
    void replicasAndLeaderElectionsAreRetriedUnderKafkasNameForThem() {
        Map<Throwable, String> transients = Map.of(
                new NotEnoughReplicasException("Messages are rejected since there are fewer in-sync replicas than "
                        + "required."), "NOT_ENOUGH_REPLICAS",
                new NotEnoughReplicasAfterAppendException("after append"), "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
                new NotLeaderOrFollowerException("not the leader"), "NOT_LEADER_OR_FOLLOWER",
                new LeaderNotAvailableException("election in progress"), "LEADER_NOT_AVAILABLE",
                new TimeoutException("Expiring 1 record(s) for orders-0:120000 ms has passed since batch creation"),
                "REQUEST_TIMED_OUT");
        transients.forEach((e, name) -> {
            ActionResult.Failure f = classify(e);
            assertThat(f.permanent()).as(name).isFalse();
            assertThat(f.errorType()).isEqualTo(name);
            assertThat(f.message()).startsWith("kafka topic 'orders': ").contains(e.getMessage());
        });
    }

    /** Not a Kafka error: its class, low in cardinality too. */
    @Test
    void whatKafkaHasNoNameForKeepsItsClass() {
        assertThat(classify(new IllegalStateException("closed")).errorType())
                .isEqualTo(IllegalStateException.class.getName());
    }
}
