package dev.directmx.dkim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Map;

/** Reads keys from environment variables and files: the sources for local runs. */
public final class LocalKeyMaterial implements KeyMaterial {

    private final Map<String, String> environment;

    public LocalKeyMaterial(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public String read(KeySource source) throws KeyUnavailableException {
        return switch (source) {
            case KeySource.Environment env -> {
                String value = environment.get(env.variable());
                if (value == null || value.isBlank()) {
                    throw new KeyUnavailableException(source.describe() + ": the environment variable "
                            + env.variable() + " is not set; put the PEM private key in it");
                }
                yield value;
            }
            case KeySource.File file -> {
                try {
                    yield Files.readString(file.path(), StandardCharsets.US_ASCII);
                } catch (NoSuchFileException e) {
                    throw new KeyUnavailableException(source.describe() + ": no such file; give the path of the"
                            + " PEM private key (dkim keygen writes one)", e);
                } catch (IOException e) {
                    throw new KeyUnavailableException(source.describe() + ": cannot read the file ("
                            + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
                }
            }
            default -> throw new IllegalArgumentException(source.describe() + " is not a local key source");
        };
    }
}
