package dev.directmx.sandbox.dns;

import java.util.Objects;
import org.xbill.DNS.Name;
import org.xbill.DNS.Type;

/**
 * One well-formed query the server received, whether it answered it or stayed silent. Tests use
 * {@link ZoneDnsServer#queries()} to assert that a resolver cached an answer, fell back to TCP, or
 * made no lookup at all. Names compare case-insensitively, as {@link Name} does.
 *
 * @param name the queried name, absolute
 * @param type the queried type, a {@link Type} constant
 * @param transport how the query arrived
 */
public record ReceivedQuery(Name name, int type, Transport transport) {

    /** The transport a query arrived on. */
    public enum Transport {
        UDP,
        TCP
    }

    public ReceivedQuery {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(transport, "transport");
    }

    @Override
    public String toString() {
        return name + " " + Type.string(type) + " over " + transport;
    }
}
