package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.port.CertificateRefusal;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.protocol.Errors;

import javax.net.ssl.SSLException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * What a failed send means for delivery, and what its dead letter tells the operator to do. Permanent (dead-lettered
 * with the fix): a record too large, a missing or invalid topic, a refused login or a missing ACL. Everything else
 * may pass (a broker down, a leader moving, too few in-sync replicas, a timeout) and goes through the observer's
 * retry policy. The failure's {@code error.type} is Kafka's name for the error ({@code MESSAGE_TOO_LARGE},
 * {@code TOPIC_AUTHORIZATION_FAILED}), as the protocol and the brokers' logs call it, else the exception's class.
 *
 * @param principal who the producer logs in as ({@link KafkaSettings#principal()}), named in the ACL to add
 */
record SendFailures(String principal) {

    /** Kafka's name of the error a topic missing from the cluster gets. */
    static final String MISSING_TOPIC = Errors.UNKNOWN_TOPIC_OR_PARTITION.name();
    /** What to do about a topic the cluster says does not exist. */
    static final String CREATE_TOPIC = "create it, or correct the action's topic template (or let the brokers create "
            + "topics: auto.create.topics.enable)";

    /** What the producer threw, or the failure it completed the record's future with. */
    static Throwable unwrap(Throwable thrown) {
        return thrown instanceof ExecutionException && thrown.getCause() != null ? thrown.getCause() : thrown;
    }

    /**
     * The producer waited {@code max.block.ms} for the topic's metadata in vain: the topic is missing, or the
     * cluster is out of reach (the caller asks the cluster which).
     */
    static boolean metadataTimeout(Throwable thrown) {
        Throwable e = unwrap(thrown);
        return e instanceof TimeoutException && e.getMessage() != null
                && e.getMessage().contains("not present in metadata");
    }

    /** Everything but a metadata timeout ({@link #metadataTimeout}), which the caller resolves. */
    ActionResult.Failure classify(ProducerRecord<byte[], byte[]> record, Throwable thrown) {
        Throwable e = unwrap(thrown);
        String topic = record.topic();
        String where = "kafka topic '" + topic + "'";
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return switch (e) {
            case RecordTooLargeException t -> permanent(where + ": the record is " + size(record) + " bytes (key, "
                    + "value and headers), more than " + (message.contains("max.request.size")
                    ? "the producer's max.request.size" : message.contains("buffer.memory")
                    ? "the producer's buffer.memory" : "the topic's max.message.bytes (the broker's message.max.bytes "
                    + "when the topic does not set it)") + " allows: raise kafka.properties.max.request.size and the "
                    + "topic's max.message.bytes above it, or send less (" + message + ")", t);
            case RecordBatchTooLargeException t -> permanent(where + ": the record is " + size(record) + " bytes (key,"
                    + " value and headers), more than the topic's max.message.bytes allows: raise it, or send less ("
                    + message + ")", t);
            case TopicAuthorizationException t -> permanent(where + ": " + principal + " may not write to it ("
                    + message + "): add the ACL with kafka-acls.sh --add --allow-principal " + principal
                    + " --operation Write --topic " + topic, t);
            case ClusterAuthorizationException t -> permanent(where + ": the cluster refused " + principal + " the "
                    + "idempotent producer (" + message + "): add the ACL with kafka-acls.sh --add --allow-principal "
                    + principal + " --operation IdempotentWrite --cluster (or Write on the topic, which brokers "
                    + "from Kafka 2.8 on take for it)", t);
            case AuthorizationException t -> permanent(where + ": " + principal + " is not authorized (" + message
                    + "): add the ACL it names for " + principal, t);
            case SslAuthenticationException t -> tls(t);
            case AuthenticationException t -> permanent("kafka refused the login (" + message + "): check "
                    + "security.protocol, sasl.mechanism and sasl.jaas.config's username and password (or the ssl.* "
                    + "settings) in kafka.properties, then restart pg-observer", t);
            case InvalidTopicException t -> invalidTopic("kafka", topic, t);
            case SerializationException t -> permanent(where + ": " + message, t);
            case UnsupportedVersionException t -> permanent(where + ": the broker does not support this request ("
                    + message + ")", t);
            case RetriableException t -> failure(where + ": " + message, false, t);
            default -> failure(where + ": " + message, false, e);
        };
    }

    /**
     * A TLS handshake with the brokers that failed, said as the other action types say it: their certificate not
     * accepted (the JVM's or {@code ssl.truststore.*}'s authorities do not vouch for it, or it names another host),
     * by the rule they share ({@link CertificateRefusal}), or the handshake refused otherwise (a client certificate
     * the broker asks for). Not a refused login: that sent operators to a username and password that were right. The
     * fix is Kafka's own: its trust store is set in kafka.properties, not the JVM's.
     */
    private static ActionResult.Failure tls(SslAuthenticationException e) {
        Optional<CertificateRefusal> refusal = CertificateRefusal.in(e);
        if (refusal.isPresent()) {
            return permanent("kafka: TLS certificate not accepted (" + refusal.get().reason() + "); not retried: the "
                    + "JVM does not trust the brokers' certificate (self-signed, from a private CA, expired) or it does "
                    + "not name the host in kafka.bootstrap_servers; set ssl.truststore.location and "
                    + "ssl.truststore.password in kafka.properties to a trust store holding the CA that signed it, or "
                    + "connect by a name it names, then restart pg-observer", e);
        }
        String why = e.getMessage();
        for (Throwable t = e.getCause(); t != null && why.equals(e.getMessage()); t = t.getCause()) {
            why = t instanceof SSLException ? t.getMessage() : why;
        }
        return permanent("kafka: the TLS handshake with the brokers failed (" + why + "); not retried: check the "
                + "ssl.* settings in kafka.properties (a broker that asks for a client certificate needs "
                + "ssl.keystore.location and its passwords), then restart pg-observer", e);
    }

    /**
     * A topic the template rendered that Kafka refuses as a name (its rule is in Kafka's message); {@code action}
     * names the action ({@code kafka orders.{{after.kind}}}), the template to change.
     */
    static ActionResult.Failure invalidTopic(String action, String topic, InvalidTopicException e) {
        return permanent(action + ": topic '" + topic + "' is not a valid topic name (" + e.getMessage() + "): "
                + "change the action's topic template so that it renders 1 to 249 ASCII letters, digits, '.', '_' or '-' "
                + "(neither '.' nor '..' alone)", e);
    }

    static ActionResult.Failure missingTopic(String topic, Throwable e) {
        return new ActionResult.Failure("kafka topic '" + topic + "' does not exist: " + CREATE_TOPIC, true, null, e,
                MISSING_TOPIC);
    }

    /** A failure that is no Kafka error (a metadata wait out of time, an interrupt). */
    static ActionResult.Failure transientFailure(String message, Throwable cause) {
        return failure(message, false, cause);
    }

    private static ActionResult.Failure permanent(String message, Throwable cause) {
        return failure(message, true, cause);
    }

    private static ActionResult.Failure failure(String message, boolean permanent, Throwable cause) {
        return new ActionResult.Failure(message, permanent, null, cause, errorType(cause));
    }

    /**
     * Kafka's name of the error ({@code NOT_ENOUGH_REPLICAS}), few and stable as a metric label wants; the class of
     * what Kafka has no name for.
     */
    static String errorType(Throwable cause) {
        Errors error = cause instanceof org.apache.kafka.common.KafkaException ? Errors.forException(cause)
                : Errors.UNKNOWN_SERVER_ERROR;
        return error == Errors.UNKNOWN_SERVER_ERROR || error == Errors.NONE ? null : error.name();
    }

    /** The record's bytes as the application gave them, before compression. */
    static int size(ProducerRecord<byte[], byte[]> record) {
        // A tombstone has no value.
        int size = (record.key() == null ? 0 : record.key().length)
                + (record.value() == null ? 0 : record.value().length);
        for (Header header : record.headers()) {
            size += header.key().getBytes(StandardCharsets.UTF_8).length
                    + (header.value() == null ? 0 : header.value().length);
        }
        return size;
    }
}
