package io.pgobserver.adapters.email;

import io.pgobserver.domain.observer.ActionSpec;
import io.pgobserver.templates.Templates;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code { type: email, to: [...], ... }}: an email sent over SMTP. Bodies come from a named template (a file) or
 * from inline templates. Messages name the action's keys; the core puts the action's path in front of them.
 *
 * @param to       recipients, at least one
 * @param cc       copy recipients
 * @param from     the sender, or null for the SMTP settings' default
 * @param subject  a Mustache template for the subject; may be left out with a named template that has a
 *                 {@code NAME.subject} file
 * @param template the name of a template (files {@code NAME.txt} / {@code NAME.html}, optionally
 *                 {@code NAME.subject}), or null
 * @param text     an inline Mustache template for the text body, or null
 * @param html     an inline Mustache template for the HTML body, or null
 */
record EmailAction(List<String> to, List<String> cc, String from, String subject, String template,
                   String text, String html) implements ActionSpec {

    EmailAction {
        to = to == null ? List.of() : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        if (to.isEmpty()) {
            throw new IllegalArgumentException("to must list at least one recipient, such as [ops@example.com]");
        }
        for (String address : to) {
            requireAddress("to", address);
        }
        for (String address : cc) {
            requireAddress("cc", address);
        }
        if ((subject == null || subject.isBlank()) && template == null) {
            throw new IllegalArgumentException("subject must be set (or name a template with a NAME.subject file)");
        }
        if (template == null && text == null && html == null) {
            throw new IllegalArgumentException("set template (a file name), text or html: the email needs a body");
        }
    }

    int recipientCount() {
        return to.size() + cc.size();
    }

    /** The columns the subject and the inline bodies name (not a named template's files, read at the start). */
    @Override
    public Set<String> columns() {
        Set<String> columns = new TreeSet<>(Templates.columns(subject));
        columns.addAll(Templates.columns(text));
        columns.addAll(Templates.columns(html));
        return columns;
    }

    @Override
    public String type() {
        return "email";
    }

    @Override
    public String describe() {
        return "email to " + recipientCount() + " recipient(s)" + (template == null ? "" : ", template " + template);
    }

    @Override
    public String toString() {
        return describe();
    }

    private static void requireAddress(String key, String address) {
        if (address == null || address.indexOf('@') < 1 || address.indexOf('@') == address.length() - 1) {
            throw new IllegalArgumentException(key + ": '" + address + "' is not an email address (name@domain)");
        }
    }
}
