package io.pgobserver.adapters.kafka;

import io.pgobserver.domain.port.ActionResult;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

import java.util.concurrent.ExecutionException;

/**
 * What a failed send means for delivery. Permanent (dead-lettered with the reason): a record too large, a
 * missing or invalid topic, a refused login or a missing permission. Everything else may pass (a broker down, a
 * leader moving, a timeout) and goes through the observer's retry policy.
 */
final class SendFailures {

    private SendFailures() {
    }

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
    static ActionResult.Failure classify(String topic, Throwable thrown) {
        Throwable e = unwrap(thrown);
        String where = "kafka topic '" + topic + "'";
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return switch (e) {
            case RecordTooLargeException t -> ActionResult.Failure.permanentFailure(where + ": the record is too "
                    + "large (" + message + "); raise kafka.properties.max.request.size and the topic's "
                    + "max.message.bytes, or send less", t);
            case RecordBatchTooLargeException t -> ActionResult.Failure.permanentFailure(where + ": the record is "
                    + "too large for the broker (" + message + ")", t);
            case AuthorizationException t -> ActionResult.Failure.permanentFailure(where + ": not authorized ("
                    + message + "); grant the principal WRITE on the topic", t);
            case AuthenticationException t -> ActionResult.Failure.permanentFailure("kafka refused the login ("
                    + message + "); check the SASL/SSL settings in kafka.properties", t);
            case InvalidTopicException t -> ActionResult.Failure.permanentFailure(where + " is not a valid topic "
                    + "name: " + message, t);
            case SerializationException t -> ActionResult.Failure.permanentFailure(where + ": " + message, t);
            case UnsupportedVersionException t -> ActionResult.Failure.permanentFailure(where + ": the broker "
                    + "does not support this request (" + message + ")", t);
            case RetriableException t -> ActionResult.Failure.transientFailure(where + ": " + message, t);
            default -> ActionResult.Failure.transientFailure(where + ": " + message, e);
        };
    }

    static ActionResult.Failure missingTopic(String topic, Throwable e) {
        return ActionResult.Failure.permanentFailure("kafka topic '" + topic + "' does not exist: create it (or let "
                + "the brokers create topics: auto.create.topics.enable)", e);
    }
}
