package dev.directmx.store;

import java.time.Instant;

/**
 * One delivery attempt's outcome for one recipient, as stored.
 *
 * @param status what the attempt decided
 * @param finalOutcome true when no later attempt will be made (delivered, or failed for good)
 * @param code the SMTP reply code (or directmx's local code)
 * @param enhancedCode RFC 3463 code, may be null
 * @param text the reply text
 * @param command the command the reply answered
 * @param route the route used, or null when no session decided
 * @param dkim whether the message was DKIM-signed and with what ({@code signed d=example.com
 *     s=rsa2026 a=rsa-sha256}), or why not ({@code unsigned: no DKIM key for example.com ...});
 *     null when no delivery was tried
 * @param at when the attempt ended
 */
public record Attempt(RecipientStatus status, boolean finalOutcome, int code, String enhancedCode, String text,
        String command, StoredRoute route, String dkim, Instant at) {

    /** An attempt that made no delivery, so signing does not apply (expiry). */
    public Attempt(RecipientStatus status, boolean finalOutcome, int code, String enhancedCode, String text,
            String command, StoredRoute route, Instant at) {
        this(status, finalOutcome, code, enhancedCode, text, command, route, null, at);
    }
}
