package io.pgobserver.adapters.tracing.otel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The stop's bound for the spans still queued, with a back-end that hung a moment before the stop. */
class OtelSdkStopTest {

    @RegisterExtension
    final LoggedWarnings warnings = new LoggedWarnings(OtelSdk.class);

    @Test
    void anExportHungJustBeforeTheStopCountsAsTroubleAndTheStopGivesItTheTroubledBound() throws Exception {
        // A back-end that takes the connection and never answers: the export sent to it stays in progress.
        List<Socket> taken = new CopyOnWriteArrayList<>();
        try (ServerSocket hung = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        taken.add(hung.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            OtelSdk sdk = OtelSdk.create(TestSettings.ON, TestSettings.tracing("otlp",
                    "http://127.0.0.1:" + hung.getLocalPort(), "http/protobuf", 1.0), TestSettings.NO_METRICS, System.out);
            SampleTrace.run(sdk.tracer(), SampleTrace.writer(true));
            assertThat(SampleTrace.await(Duration.ofSeconds(60), () -> !taken.isEmpty()))
                    .as("the export reached the back-end").isTrue();
            assertThat(sdk.exports().getFirst().guarded().inTrouble())
                    .as("just sent: not in trouble yet, so the stop starts with the full bound").isFalse();

            sdk.stop();

            // Its export still unanswered after a few seconds of the stop: the stop gave it 3s, not 10s.
            assertThat(warnings.list()).singleElement().asString().isEqualTo("tracing: spans still queued after 3s at shutdown were"
                            + " dropped (the back-end failed its last export, or left one unanswered for 3s)");
        } finally {
            for (Socket socket : taken) {
                socket.close();
            }
        }
    }
}
