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
    private final Deque<ActionResult> script = new ArrayDeque<>();
    final List<ActionRequest> requests = new CopyOnWriteArrayList<>();

    ScriptedExecutor(String type) {
        this.type = type;
    }

    synchronized ScriptedExecutor then(ActionResult result) {
        script.addLast(result);
        return this;
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
        ActionResult next;
        synchronized (this) {
            next = script.pollFirst();
        }
        return next == null ? ActionResult.success("ok") : next;
    }
}
