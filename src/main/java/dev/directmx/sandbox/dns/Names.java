package dev.directmx.sandbox.dns;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Predicate;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/** Domain-name helpers shared by the builder and the server. Stateless. */
final class Names {

    private Names() {}

    /**
     * Parses a name given in presentation form, relative names taken as absolute. IDN names must come
     * as A-labels ({@code xn--...}, see {@link java.net.IDN#toASCII}), as they travel in DNS.
     */
    static Name parse(String text) {
        if (!StandardCharsets.US_ASCII.newEncoder().canEncode(text)) {
            throw new IllegalArgumentException(
                    "give IDN names as A-labels (java.net.IDN.toASCII): " + text);
        }
        try {
            return Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + text, e);
        }
    }

    /** The longest of {@code name} and its ancestors that {@code wanted} accepts, if any. */
    static Optional<Name> closestEnclosing(Name name, Predicate<Name> wanted) {
        for (int strip = 0; strip < name.labels(); strip++) {
            Name candidate = strip == 0 ? name : new Name(name, strip);
            if (wanted.test(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
