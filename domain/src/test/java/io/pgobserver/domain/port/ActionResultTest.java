package io.pgobserver.domain.port;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

/** A failure's {@code error.type}: the executor's when it knows one, else the cause's class, else {@code _OTHER}. */
class ActionResultTest {

    @Test
    void aFailureNamesItsErrorType() {
        assertThat(new ActionResult.Failure("HTTP 503", false, null, null, "503").errorType()).isEqualTo("503");
        assertThat(ActionResult.Failure.transientFailure("refused", new ConnectException("refused")).errorType())
                .isEqualTo("java.net.ConnectException");
        assertThat(ActionResult.Failure.permanentFailure("bad template", null).errorType())
                .isEqualTo(ActionResult.Failure.OTHER).isEqualTo("_OTHER");
        assertThat(new ActionResult.Failure("m", true, null, new IllegalStateException(), " ").errorType())
                .isEqualTo("java.lang.IllegalStateException");
    }

    @Test
    void aReceiversErrorPageLosesTheCredentialsItEchoes() {
        String page = "HTTP 400: password=hunter2 token=abc123 at http://admin:s3cret@internal.example/x?apikey=zzz";

        ActionResult.Failure failure = ActionResult.Failure.permanentFailure(page, null);

        assertThat(failure.message()).isEqualTo("HTTP 400: password=**** token=**** at http://internal.example/x")
                .doesNotContain("hunter2", "abc123", "s3cret", "zzz");
    }
}
