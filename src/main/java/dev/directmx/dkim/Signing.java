package dev.directmx.dkim;

import java.util.List;

/** Whether a message went out DKIM-signed, and with what, or why not. */
public sealed interface Signing {

    /** A sentence for logs and reports: {@code signed d=example.com s=rsa2026 a=rsa-sha256}. */
    String describe();

    /** Signed with every signature listed (two when a domain has an RSA and an Ed25519 key). */
    record Signed(List<DkimSigner.Signature> signatures) implements Signing {
        public Signed {
            signatures = List.copyOf(signatures);
            if (signatures.isEmpty()) {
                throw new IllegalArgumentException("a signed message has at least one signature");
            }
        }

        @Override
        public String describe() {
            return "signed " + String.join(", ", signatures.stream().map(DkimSigner.Signature::toString).toList());
        }
    }

    /** Sent without a signature, and why (no key for the sender's domain). */
    record Unsigned(String reason) implements Signing {
        @Override
        public String describe() {
            return "unsigned: " + reason;
        }
    }
}
