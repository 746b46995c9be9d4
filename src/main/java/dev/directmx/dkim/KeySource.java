package dev.directmx.dkim;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a DKIM private key is read from: an environment variable or a file for local runs,
 * AWS Secrets Manager or SSM Parameter Store in Lambda. Written in configuration as
 * {@code env:NAME}, {@code file:PATH}, {@code secretsmanager:SECRET-ID-OR-ARN} or
 * {@code ssm:PARAMETER-NAME}. A source names the key; it never holds it.
 */
public sealed interface KeySource {

    /** The source as written in configuration, for messages: never the key itself. */
    String describe();

    /** The PEM (or base64) key in the environment variable {@code variable}. */
    record Environment(String variable) implements KeySource {
        public Environment {
            Objects.requireNonNull(variable, "variable");
        }

        @Override
        public String describe() {
            return "env:" + variable;
        }
    }

    /** The PEM (or base64) key in the file at {@code path}. */
    record File(Path path) implements KeySource {
        public File {
            Objects.requireNonNull(path, "path");
        }

        @Override
        public String describe() {
            return "file:" + path;
        }
    }

    /** The PEM key stored as the string value of the secret {@code secretId} (a name or an ARN). */
    record SecretsManager(String secretId) implements KeySource {
        public SecretsManager {
            Objects.requireNonNull(secretId, "secretId");
        }

        @Override
        public String describe() {
            return "secretsmanager:" + secretId;
        }
    }

    /** The PEM key stored in the (SecureString) parameter {@code name}, read with decryption. */
    record ParameterStore(String name) implements KeySource {
        public ParameterStore {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String describe() {
            return "ssm:" + name;
        }
    }

    /**
     * Parses {@code env:NAME}, {@code file:PATH}, {@code secretsmanager:ID} or {@code ssm:NAME}.
     *
     * @param where the setting being read, for the error message
     * @throws IllegalArgumentException naming {@code where}, the text and the forms accepted
     */
    static KeySource parse(String where, String text) {
        int colon = text.indexOf(':');
        String scheme = colon < 0 ? "" : text.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : text.substring(colon + 1).strip();
        if (rest.isEmpty() && !scheme.isEmpty()) {
            throw new IllegalArgumentException(where + ": '" + text + "' names no " + scheme + " source after '"
                    + scheme + ":'");
        }
        return switch (scheme) {
            case "env" -> new Environment(rest);
            case "file" -> new File(Path.of(rest));
            case "secretsmanager" -> new SecretsManager(rest);
            case "ssm" -> new ParameterStore(rest);
            default -> throw new IllegalArgumentException(where + ": '" + text + "' is not a key source; write"
                    + " env:VARIABLE, file:PATH, secretsmanager:SECRET-ID or ssm:PARAMETER-NAME");
        };
    }
}
