package io.pgobserver.domain.observer;

/** What to do when an observer's condition matches. The executors for each type live in adapters. */
public sealed interface ActionSpec permits WebhookAction, SlackAction, EmailAction {

    /** The action type: {@code webhook}, {@code slack} or {@code email}. Also the span's {@code action_type}. */
    String type();

    /** A short description for logs and errors, free of secrets. */
    String describe();
}
