package dev.directmx.message;

import java.net.IDN;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One mailbox: a local part, a domain and an optional display name (RFC 5322 §3.4).
 *
 * <p>Mailboxes come from {@link #parse} and {@link #parseList}, which use Angus Mail's
 * strict parser and then add the checks that delivery over the Internet needs: a domain
 * is required, it must have a dot and convert to an A-label, and address literals are
 * refused. The domain is kept as given (Unicode allowed) but lower-cased; the local part
 * keeps its case, since only the receiving server may interpret it (RFC 5321 §2.4).
 *
 * @param localPart the part before the last {@code @}, as given (may be a quoted string)
 * @param domain the domain as given, Unicode allowed, lower-cased
 * @param displayName the display name, decoded from RFC 2047 if it was encoded, or
 *     {@code null} when there is none
 */
public record Mailbox(String localPart, String domain, String displayName) {

    public Mailbox {
        Objects.requireNonNull(localPart, "localPart");
        domain = Objects.requireNonNull(domain, "domain").toLowerCase(Locale.ROOT);
    }

    /**
     * Parses one address for a single-address field such as {@code from}: {@code Name
     * <a@b>}, {@code <a@b>} or {@code a@b}. Groups are refused.
     *
     * @param text the address as the client wrote it
     * @param field the field's name for error messages, such as {@code "from"}
     * @throws InvalidMessageException naming {@code field} and the address
     */
    public static Mailbox parse(String text, String field) throws InvalidMessageException {
        return Addresses.parseMailbox(text, field);
    }

    /**
     * Parses a header value holding an address list (RFC 5322 §3.4 address-list) and
     * returns its mailboxes. Groups contribute their members, so {@code
     * "undisclosed-recipients:;"} is a valid group with no members and yields an empty
     * list.
     *
     * @throws InvalidMessageException naming {@code field} and the address at fault
     */
    public static List<Mailbox> parseList(String text, String field) throws InvalidMessageException {
        return Addresses.mailboxes(Addresses.parseEntries(text, field));
    }

    /**
     * The domain as an A-label (RFC 5890), for DNS and for envelopes sent without
     * SMTPUTF8: {@code "bücher.example"} becomes {@code "xn--bcher-kva.example"}. Uses
     * {@link IDN#toASCII(String, int)} with STD3 rules, which implements IDNA2003: unlike
     * IDNA2008 it maps {@code ß} to {@code ss}.
     *
     * @throws IllegalArgumentException if the domain is not a valid name; mailboxes from
     *     {@link #parse} have been checked
     */
    public String asciiDomain() {
        return IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES);
    }

    /** True when the local part is not ASCII, so the envelope needs SMTPUTF8 (RFC 6531 §3.3). */
    public boolean needsSmtpUtf8() {
        return !Text.isAscii(localPart);
    }

    /**
     * The address for {@code MAIL FROM} and {@code RCPT TO}: {@code local@a-label} when
     * the local part is ASCII, so it works without SMTPUTF8, or {@code local@domain} with
     * the Unicode domain when SMTPUTF8 is needed anyway (RFC 6531 §3.3 allows U-labels).
     */
    public String envelopeAddress() {
        return localPart + "@" + (needsSmtpUtf8() ? domain : asciiDomain());
    }

    /** {@code local@domain} as given (with the lower-cased domain). */
    public String address() {
        return localPart + "@" + domain;
    }
}
