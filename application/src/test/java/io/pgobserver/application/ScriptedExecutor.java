package io.pgobserver.application;

import io.pgobserver.domain.port.ActionExecutor;
import io.pgobserver.domain.port.ActionRequest;
import io.pgobserver.domain.port.ActionResult;
import io.pgobserver.domain.trace.Span;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An executor that answers from a script (then succeeds) and records every request. */
final class ScriptedExecutor implements ActionExecutor {

    private final String type;
    private final Deque<Step> script = new ArrayDeque<>();
    final List<ActionRequest> requests = new CopyOnWriteArrayList<>();

    ScriptedExecutor(String type) {
        this.type = type;
    }

    synchronized ScriptedExecutor then(ActionResult result) {
        script.addLast(new Step(result, false));
        return this;
    }

    /** The next attempt is cut off: the thread is interrupted while it runs (a stop, a parking), then answers. */
    synchronized ScriptedExecutor thenCutOff(ActionResult result) {
        script.addLast(new Step(result, true));
        return this;
    }

    private record Step(ActionResult answer, boolean cutOff) {
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public ActionResult execute(ActionRequest request, Span span) {
        requests.add(request);
        if (span.isRecording()) {
            span.setAttribute("executed_by", type);
        }
        Step next;
        synchronized (this) {
            next = script.pollFirst();
        }
        if (next == null) {
            return ActionResult.success("ok");
        }
        if (next.cutOff()) {
            Thread.currentThread().interrupt();
        }
        return next.answer();
    }
}
