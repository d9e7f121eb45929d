package io.pgobserver.examples.fileaction;

import io.pgobserver.domain.spi.ActionType;
import io.pgobserver.domain.spi.ConfigReader;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a {@code file} action's own keys: {@code path} (required) and {@code label}. */
final class FileActionType implements ActionType<FileAction> {

    @Override
    public String name() {
        return "file";
    }

    @Override
    public Class<FileAction> specType() {
        return FileAction.class;
    }

    @Override
    public FileAction read(ConfigReader action) {
        return new FileAction(Path.of(action.requiredString("path", "the file to append to, e.g. /tmp/events.log")),
                action.string("label", null));
    }

    @Override
    public Map<String, Object> render(FileAction spec) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", spec.path());
        out.put("label", spec.label());
        return out;
    }
}
