package io.pgobserver.examples.fileaction;

import io.pgobserver.domain.event.ChangeKind;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.DeliveryKey;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.testing.Events;
import io.pgobserver.domain.trace.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class FileActionExecutorTest {

    @TempDir
    Path dir;

    @Test
    void appendsOneLinePerEvent() throws Exception {
        Path file = dir.resolve("events.log");
        FileAction action = new FileAction(file, "shipped");
        var event = Events.event(1, "42", ChangeKind.CREATED, Map.of(), Map.of("id", 42));
        ActionResult result = new FileActionExecutor().execute(new ActionRequest(event, "orders", action, 0, 1,
                DeliveryKey.of("example", event, "orders", "file-0").id()), Span.noop());
        assertThat(result).isInstanceOf(ActionResult.Success.class);
        assertThat(Files.readString(file)).isEqualTo("shipped " + event.id() + " 42 created" + System.lineSeparator());
    }
}
