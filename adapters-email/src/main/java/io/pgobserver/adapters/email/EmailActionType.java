package io.pgobserver.adapters.email;

import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.ConfigReader;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code email} action type: recipients, sender, subject and a template or inline bodies. */
final class EmailActionType implements ActionType<EmailAction> {

    @Override
    public String name() {
        return "email";
    }

    @Override
    public Class<EmailAction> specType() {
        return EmailAction.class;
    }

    @Override
    public EmailAction read(ConfigReader a) {
        return new EmailAction(a.strings("to"), a.strings("cc"), a.string("from", null),
                a.string("subject", null), a.string("template", null), a.string("text", null),
                a.string("html", null));
    }

    @Override
    public Map<String, Object> render(EmailAction e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("to", e.to());
        out.put("cc", e.cc());
        out.put("from", e.from());
        out.put("subject", e.subject());
        out.put("template", e.template());
        out.put("text", e.text());
        out.put("html", e.html());
        return out;
    }
}
