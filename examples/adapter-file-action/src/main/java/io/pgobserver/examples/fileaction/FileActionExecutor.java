package io.pgobserver.examples.fileaction;

import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.trace.Span;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends {@code <label> <event id> <entity id> <kind>} to the action's file. Lines from concurrent events are
 * written whole: appends are serialized here.
 */
final class FileActionExecutor implements ActionExecutor {

    // Not synchronized: actions run on virtual threads, and on Java 21 one waiting for a monitor held across a file
    // write pins its carrier thread (as many as cores), stalling every event of the process meanwhile.
    private final ReentrantLock appends = new ReentrantLock();

    @Override
    public String type() {
        return "file";
    }

    @Override
    public ActionResult execute(ActionRequest request, Span span) {
        FileAction action = (FileAction) request.action();
        String line = action.label() + " " + request.event().id() + " " + request.event().entityId() + " "
                + request.event().kind().wireName() + System.lineSeparator();
        span.setAttribute("file.path", action.path().toString());
        try {
            appends.lock();
            try {
                Files.writeString(action.path(), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } finally {
                appends.unlock();
            }
            return ActionResult.success("appended to " + action.path());
        } catch (IOException e) {
            return ActionResult.Failure.transientFailure("cannot append to " + action.path() + ": " + e, e);
        }
    }
}
