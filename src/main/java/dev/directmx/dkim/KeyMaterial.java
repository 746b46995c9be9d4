package dev.directmx.dkim;

/**
 * Reads the text of a private key (PEM, or a bare base64 Ed25519 seed) from its {@link
 * KeySource}. Implementations must never log or put the key text in an exception message.
 */
@FunctionalInterface
public interface KeyMaterial {

    /**
     * @throws KeyUnavailableException when the source cannot be read; the message names the
     *     source and what to do, never the key
     */
    String read(KeySource source) throws KeyUnavailableException;
}
