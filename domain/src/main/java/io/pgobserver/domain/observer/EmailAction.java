package io.pgobserver.domain.observer;

import java.util.List;

/**
 * An email sent over SMTP. Bodies come from a named template (a file) or from inline templates.
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
public record EmailAction(List<String> to, List<String> cc, String from, String subject, String template,
                          String text, String html) implements ActionSpec {

    public EmailAction {
        to = to == null ? List.of() : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        if (to.isEmpty()) {
            throw new IllegalArgumentException("an email action needs at least one recipient in 'to'");
        }
        for (String address : to) {
            requireAddress(address);
        }
        for (String address : cc) {
            requireAddress(address);
        }
        if ((subject == null || subject.isBlank()) && template == null) {
            throw new IllegalArgumentException("an email action needs a subject (or a named template with a"
                    + " .subject file)");
        }
        if (template == null && text == null && html == null) {
            throw new IllegalArgumentException("an email action needs a template, a text body or an html body");
        }
    }

    public int recipientCount() {
        return to.size() + cc.size();
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

    private static void requireAddress(String address) {
        if (address == null || address.indexOf('@') < 1 || address.indexOf('@') == address.length() - 1) {
            throw new IllegalArgumentException("not an email address: '" + address + "'");
        }
    }
}
