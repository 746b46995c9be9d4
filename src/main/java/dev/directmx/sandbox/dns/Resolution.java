package dev.directmx.sandbox.dns;

import java.util.List;
import org.xbill.DNS.Record;

/** What the server decided to do with one question: answer it, or stay silent. */
sealed interface Resolution {

    /**
     * A reply to send.
     *
     * @param rcode the RFC 1035 §4.1.1 response code
     * @param authoritative whether to set AA: true for data from a served zone
     * @param answer the answer section, CNAMEs first in chain order
     * @param authority the authority section: the zone's SOA in negative answers (RFC 2308 §3)
     */
    record Answer(int rcode, boolean authoritative, List<Record> answer, List<Record> authority)
            implements Resolution {

        public Answer {
            answer = List.copyOf(answer);
            authority = List.copyOf(authority);
        }

        /** A bare reply with no data and AA clear, such as SERVFAIL or REFUSED. */
        static Answer error(int rcode) {
            return new Answer(rcode, false, List.of(), List.of());
        }
    }

    /** Send nothing, so the client times out. */
    record Silence() implements Resolution {}
}
