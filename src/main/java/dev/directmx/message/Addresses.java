package dev.directmx.message;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Address parsing with Angus Mail's strict parser, plus the checks delivery needs.
 *
 * <p>Angus 2.0.3 accepts non-ASCII local parts and domains in strict mode without any
 * property: {@code mail.mime.allowutf8} (a System property read once by {@link
 * InternetAddress}) only changes how display names are quoted when formatted, so
 * directmx leaves it alone.
 */
final class Addresses {

    /** RFC 5321 §4.5.3.1.1: the maximum total length of a local part is 64 octets. */
    static final int MAX_LOCAL_PART_OCTETS = 64;

    /** RFC 1035 §2.3.4: 255 octets on the wire, which is 253 characters in text form. */
    static final int MAX_DOMAIN_CHARS = 253;

    private static final String HOW_TO_WRITE = "write it as local@domain or Name <local@domain>";

    private Addresses() {
    }

    /** One entry of an address list (RFC 5322 §3.4): a mailbox or a group of mailboxes. */
    sealed interface Entry permits Single, Group {
        List<Mailbox> mailboxes();
    }

    record Single(Mailbox mailbox) implements Entry {
        @Override
        public List<Mailbox> mailboxes() {
            return List.of(mailbox);
        }
    }

    /** A group such as {@code "undisclosed-recipients:;"}; {@code name} is the phrase as written. */
    record Group(String name, List<Mailbox> members) implements Entry {
        Group {
            members = List.copyOf(members);
        }

        @Override
        public List<Mailbox> mailboxes() {
            return members;
        }
    }

    static Mailbox parseMailbox(String text, String field) throws InvalidMessageException {
        requirePresent(text, field);
        InternetAddress parsed;
        try {
            parsed = new InternetAddress(text, true);
        } catch (AddressException e) {
            throw notAnAddress(text, field, e);
        }
        if (parsed.isGroup()) {
            throw new InvalidMessageException(field, Text.quote(text)
                    + " is a group, but this field takes exactly one address; " + HOW_TO_WRITE);
        }
        requireNothingAfterAngleAddress(text, field);
        return toMailbox(parsed.getAddress(), parsed.getPersonal(), field);
    }

    /** Parses a header value: any number of mailboxes and groups, separated by commas. */
    static List<Entry> parseEntries(String text, String field) throws InvalidMessageException {
        requirePresent(text, field);
        InternetAddress[] parsed;
        try {
            parsed = InternetAddress.parseHeader(text, true);
        } catch (AddressException e) {
            throw notAnAddress(text, field, e);
        }
        if (parsed.length == 0) {
            throw new InvalidMessageException(field, Text.quote(text) + " holds no address; " + HOW_TO_WRITE);
        }
        if (parsed.length == 1 && !parsed[0].isGroup()) {
            requireNothingAfterAngleAddress(text, field);
        }
        List<Entry> entries = new ArrayList<>(parsed.length);
        for (InternetAddress address : parsed) {
            entries.add(toEntry(address, field));
        }
        return List.copyOf(entries);
    }

    static List<Mailbox> mailboxes(List<Entry> entries) {
        List<Mailbox> mailboxes = new ArrayList<>();
        for (Entry entry : entries) {
            mailboxes.addAll(entry.mailboxes());
        }
        return List.copyOf(mailboxes);
    }

    private static Entry toEntry(InternetAddress address, String field) throws InvalidMessageException {
        // parseHeader checks the syntax of the list but not each address (it accepts "bob"),
        // so validate() runs the strict per-address check that the constructor runs.
        try {
            if (!address.isGroup()) {
                address.validate();
                return new Single(toMailbox(address.getAddress(), address.getPersonal(), field));
            }
            List<Mailbox> members = new ArrayList<>();
            for (InternetAddress member : address.getGroup(true)) {
                member.validate();
                members.add(toMailbox(member.getAddress(), member.getPersonal(), field));
            }
            return new Group(groupName(address), members);
        } catch (AddressException e) {
            String ref = e.getRef() != null ? e.getRef() : address.toString();
            throw notAnAddress(ref, field, e);
        }
    }

    /** The group's display name: the text before the first colon, as Angus's getGroup() splits it. */
    private static String groupName(InternetAddress group) {
        String text = group.getAddress();
        return text.substring(0, text.indexOf(':')).strip();
    }

    private static Mailbox toMailbox(String address, String personal, String field) throws InvalidMessageException {
        int at = address.lastIndexOf('@');
        if (at <= 0) {
            throw noDomain(address, field);
        }
        String localPart = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (domain.startsWith("[")) {
            throw new InvalidMessageException(field, Text.quote(address) + " uses an address literal ("
                    + domain + "); directmx finds servers through DNS, so give a domain name");
        }
        if (Text.utf8Length(localPart) > MAX_LOCAL_PART_OCTETS) {
            throw new InvalidMessageException(field, Text.quote(address) + " has a local part of "
                    + Text.utf8Length(localPart) + " octets; RFC 5321 §4.5.3.1.1 allows at most "
                    + MAX_LOCAL_PART_OCTETS + ", so check the address");
        }
        Mailbox mailbox = new Mailbox(localPart, domain, displayName(personal, address, field));
        requireRoutableDomain(mailbox, field);
        return mailbox;
    }

    private static void requireRoutableDomain(Mailbox mailbox, String field) throws InvalidMessageException {
        String ascii;
        try {
            ascii = mailbox.asciiDomain();
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException(field, Text.quote(mailbox.address()) + " has the domain "
                    + Text.quote(mailbox.domain()) + ", which is not a valid domain name (IDN: " + e.getMessage()
                    + "); check its spelling", e);
        }
        if (ascii.length() > MAX_DOMAIN_CHARS) {
            throw new InvalidMessageException(field, Text.quote(mailbox.address()) + " has a domain of "
                    + ascii.length() + " characters as an A-label; DNS allows at most " + MAX_DOMAIN_CHARS);
        }
        if (ascii.indexOf('.') < 0) {
            throw new InvalidMessageException(field, Text.quote(mailbox.address()) + " has the domain "
                    + Text.quote(mailbox.domain()) + ", which has no dot; directmx delivers over the Internet,"
                    + " so give a fully qualified domain such as example.com");
        }
    }

    private static String displayName(String personal, String address, String field) throws InvalidMessageException {
        if (personal == null || personal.isBlank()) {
            return null;
        }
        // An RFC 2047 encoded-word can decode to a line break, which would be header
        // injection once the name is written back as UTF-8 (RFC 6532).
        try {
            Text.requireSingleLine(personal, field);
        } catch (InvalidMessageException e) {
            throw new InvalidMessageException(field, "the display name of " + Text.quote(address)
                    + " contains a line break or control character; remove it", e);
        }
        return personal.strip();
    }

    private static void requirePresent(String text, String field) throws InvalidMessageException {
        if (text == null || text.isBlank()) {
            throw new InvalidMessageException(field, "is " + (text == null ? "null" : "empty") + "; " + HOW_TO_WRITE);
        }
        Text.requireSingleLine(text, field);
    }

    /**
     * Angus's parser silently drops text after a closing {@code >}: it reads {@code "<a@b.com>
     * x@y.com"} as a@b.com alone. Losing a recipient without a word is worse than refusing,
     * so an address in angle brackets may be followed only by a comment.
     */
    private static void requireNothingAfterAngleAddress(String text, String field) throws InvalidMessageException {
        if (text.indexOf('<') < 0) {
            return;
        }
        String rest = text.substring(text.lastIndexOf('>') + 1).strip();
        if (!rest.isEmpty() && !rest.startsWith("(")) {
            throw new InvalidMessageException(field, Text.quote(text) + " has text after the address in <...> ("
                    + Text.quote(rest) + "), which would be dropped; give one address per entry, " + HOW_TO_WRITE);
        }
    }

    private static InvalidMessageException notAnAddress(String text, String field, AddressException e) {
        if (text.indexOf('@') < 0 && text.indexOf(':') < 0) {
            return noDomain(text, field);
        }
        return new InvalidMessageException(field, Text.quote(text) + " is not a valid address (Angus: "
                + e.getMessage() + "); " + HOW_TO_WRITE, e);
    }

    private static InvalidMessageException noDomain(String text, String field) {
        return new InvalidMessageException(field, Text.quote(text) + " has no domain; directmx delivers over the"
                + " Internet, so " + HOW_TO_WRITE);
    }
}
