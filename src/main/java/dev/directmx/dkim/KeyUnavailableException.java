package dev.directmx.dkim;

/**
 * A configured DKIM key could not be read or parsed. The message names the key's source and
 * what to do about it; it never contains key material.
 */
public final class KeyUnavailableException extends Exception {

    public KeyUnavailableException(String message) {
        super(message);
    }

    public KeyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
