package dev.directmx.dkim;

import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The deliverer's view of DKIM: which keys sign mail from a domain, and signing with them.
 * Thread-safe; one instance for the life of the deliverer.
 */
public final class MessageSigning {

    private final Keyring keyring;
    private final DkimSigner signer;
    private final Clock clock;

    public MessageSigning(Keyring keyring, DkimSigner signer, Clock clock) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** No keys: every message goes out unsigned, and says so. */
    public static MessageSigning disabled() {
        return new MessageSigning(Keyring.empty(), new DkimSigner(SigningSettings.defaults()), Clock.systemUTC());
    }

    /** The keys for mail from {@code fromDomain} (the From address's domain, A-label form). */
    public Plan plan(String fromDomain) {
        if (keyring.isEmpty()) {
            return new Plan(List.of(), "DKIM signing is not configured (no keys)");
        }
        List<SigningKey> keys = keyring.keysFor(fromDomain);
        return new Plan(keys, keys.isEmpty() ? "no DKIM key for " + fromDomain + " or a parent domain" : null);
    }

    /** Signs {@code wire}, the exact octets SMTP will carry, with the plan's keys. */
    public DkimSigner.SignedMessage sign(byte[] wire, Plan plan) {
        if (plan.keys().isEmpty()) {
            throw new IllegalStateException("nothing to sign with: " + plan.unsignedReason());
        }
        return signer.sign(wire, plan.keys(), clock.instant());
    }

    public Keyring keyring() {
        return keyring;
    }

    public SigningSettings settings() {
        return signer.settings();
    }

    /** The keys that sign one message, or why there are none. */
    public record Plan(List<SigningKey> keys, String unsignedReason) {
        public Plan {
            keys = List.copyOf(keys);
        }

        /** What the report says: the signatures this plan makes, or why the message is unsigned. */
        public Signing outcome() {
            if (keys.isEmpty()) {
                return new Signing.Unsigned(unsignedReason);
            }
            return new Signing.Signed(keys.stream()
                    .map(k -> new DkimSigner.Signature(k.domain(), k.selector(), k.algorithm())).toList());
        }
    }
}
