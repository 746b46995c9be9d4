package dev.directmx.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A validated, composed message with its envelope: what delivery works from.
 *
 * @param request the request as received, kept for records and retries
 * @param sender the header From mailbox
 * @param envelopeFrom the {@code MAIL FROM} mailbox: the request's envelopeFrom, or From
 * @param recipients to, cc and bcc mailboxes in that order, deduplicated case-insensitively
 *     on the address; a group contributes its members (an empty group none)
 * @param content the composed message
 */
public record OutboundMessage(MessageRequest request, Mailbox sender, Mailbox envelopeFrom,
                              List<Mailbox> recipients, ComposedMessage content) {

    public OutboundMessage {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(envelopeFrom, "envelopeFrom");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(content, "content");
    }

    /**
     * The recipients grouped by {@link Mailbox#asciiDomain()}, the name to look up in DNS,
     * in the order the domains first appear.
     */
    public Map<String, List<Mailbox>> recipientsByDomain() {
        Map<String, List<Mailbox>> byDomain = new LinkedHashMap<>();
        for (Mailbox recipient : recipients) {
            byDomain.computeIfAbsent(recipient.asciiDomain(), domain -> new ArrayList<>()).add(recipient);
        }
        byDomain.replaceAll((domain, mailboxes) -> List.copyOf(mailboxes));
        return Collections.unmodifiableMap(byDomain);
    }
}
