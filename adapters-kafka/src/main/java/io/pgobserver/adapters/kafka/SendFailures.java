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

    /** Whether a topic exists, asked only when the producer timed out waiting for its metadata. */
    interface TopicCheck {
        /** True or false when the cluster answered, null when it could not be asked. */
        Boolean exists(String topic) throws InterruptedException;
    }

    private SendFailures() {
    }

    static ActionResult.Failure classify(String topic, Throwable thrown, TopicCheck topics) {
        Throwable e = thrown instanceof ExecutionException && thrown.getCause() != null ? thrown.getCause() : thrown;
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
            case TimeoutException t when message.contains("not present in metadata") -> missingTopic(where, topic,
                    message, t, topics);
            case RetriableException t -> ActionResult.Failure.transientFailure(where + ": " + message, t);
            default -> ActionResult.Failure.transientFailure(where + ": " + message, e);
        };
    }

    private static ActionResult.Failure missingTopic(String where, String topic, String message, Throwable e,
                                                     TopicCheck topics) {
        Boolean exists;
        try {
            exists = topics.exists(topic);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            exists = null;
        }
        if (Boolean.FALSE.equals(exists)) {
            return ActionResult.Failure.permanentFailure(where + " does not exist: create it (or let the brokers "
                    + "create topics: auto.create.topics.enable)", e);
        }
        return ActionResult.Failure.transientFailure(where + ": " + message, e);
    }
}
