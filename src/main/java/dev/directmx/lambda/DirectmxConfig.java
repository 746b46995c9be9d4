package dev.directmx.lambda;

import dev.directmx.delivery.AddressPolicy;
import dev.directmx.delivery.DeliverySettings;
import dev.directmx.delivery.Durations;
import dev.directmx.delivery.RetryPolicy;
import dev.directmx.delivery.ServicePort;
import dev.directmx.dkim.KeySpec;
import dev.directmx.dkim.SigningSettings;
import dev.directmx.smtp.StartTls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The deliverer's configuration, read from environment variables once at start-up and
 * validated there, so that a bad value fails the deployment with a sentence naming the
 * variable instead of failing each message. The README's configuration table lists them.
 *
 * @param table the DynamoDB table ({@code DIRECTMX_TABLE})
 * @param queueUrl the queue records come from, for ChangeMessageVisibility ({@code DIRECTMX_QUEUE_URL})
 * @param deadLetterQueueUrl where invalid bodies go whole ({@code DIRECTMX_DEAD_LETTER_QUEUE_URL})
 * @param helo the name for EHLO ({@code DIRECTMX_HELO}): the FQDN whose PTR record matches the
 *     sending address, which receiving MTAs check
 * @param dns DNS servers ({@code DIRECTMX_DNS}); empty means the system's
 * @param delivery ports, address policy, STARTTLS policy, the per-message deadline
 * @param retry the backoff schedule, maximum age and 5xx retry window
 * @param concurrency records delivered at once per batch ({@code DIRECTMX_CONCURRENCY})
 * @param timeReserve time kept free at the end of an invocation ({@code DIRECTMX_TIME_RESERVE})
 * @param recordTtl how long outcome records are kept ({@code DIRECTMX_RECORD_TTL})
 * @param dkim the DKIM keys to load and how to sign ({@code DIRECTMX_DKIM_*})
 */
public record DirectmxConfig(String table, String queueUrl, String deadLetterQueueUrl, String helo,
        Optional<String> dns, DeliverySettings delivery, RetryPolicy retry, int concurrency, Duration timeReserve,
        Duration recordTtl, Dkim dkim) {

    /**
     * The DKIM configuration: the keys (not yet read: their sources) and the signing settings.
     *
     * @param keys {@code DIRECTMX_DKIM_KEYS}: {@code DOMAIN/SELECTOR=SOURCE}, comma-separated;
     *     none means nothing is signed
     * @param settings canonicalization ({@code DIRECTMX_DKIM_CANONICALIZATION}, default
     *     relaxed/relaxed) and signature lifetime ({@code DIRECTMX_DKIM_EXPIRY}, default none)
     */
    public record Dkim(List<KeySpec> keys, SigningSettings settings) {
        public Dkim {
            keys = List.copyOf(keys);
        }
    }

    public static final String TABLE = "DIRECTMX_TABLE";
    public static final String QUEUE_URL = "DIRECTMX_QUEUE_URL";
    public static final String DEAD_LETTER_QUEUE_URL = "DIRECTMX_DEAD_LETTER_QUEUE_URL";
    public static final String HELO = "DIRECTMX_HELO";
    public static final String DNS = "DIRECTMX_DNS";
    public static final String PORTS = "DIRECTMX_PORTS";
    public static final String FALLBACK_PORTS = "DIRECTMX_FALLBACK_PORTS";
    public static final String DEADLINE = "DIRECTMX_DEADLINE";
    public static final String DNS_TIMEOUT = "DIRECTMX_DNS_TIMEOUT";
    public static final String MAX_AGE = "DIRECTMX_MAX_AGE";
    public static final String PERMANENT_RETRY_WINDOW = "DIRECTMX_PERMANENT_RETRY_WINDOW";
    public static final String BACKOFF_MIN = "DIRECTMX_BACKOFF_MIN";
    public static final String BACKOFF_MAX = "DIRECTMX_BACKOFF_MAX";
    public static final String CONCURRENCY = "DIRECTMX_CONCURRENCY";
    public static final String TIME_RESERVE = "DIRECTMX_TIME_RESERVE";
    public static final String RECORD_TTL = "DIRECTMX_RECORD_TTL";
    public static final String ALLOW_PRIVATE = "DIRECTMX_ALLOW_PRIVATE";
    public static final String REQUIRE_TLS = "DIRECTMX_REQUIRE_TLS";
    public static final String DKIM_KEYS = "DIRECTMX_DKIM_KEYS";
    public static final String DKIM_CANONICALIZATION = "DIRECTMX_DKIM_CANONICALIZATION";
    public static final String DKIM_EXPIRY = "DIRECTMX_DKIM_EXPIRY";

    /** Every variable read, for documentation and the template test. */
    public static final List<String> VARIABLES = List.of(TABLE, QUEUE_URL, DEAD_LETTER_QUEUE_URL, HELO, DNS, PORTS,
            FALLBACK_PORTS, DEADLINE, DNS_TIMEOUT, MAX_AGE, PERMANENT_RETRY_WINDOW, BACKOFF_MIN, BACKOFF_MAX, CONCURRENCY,
            TIME_RESERVE, RECORD_TTL, ALLOW_PRIVATE, REQUIRE_TLS, DKIM_KEYS, DKIM_CANONICALIZATION, DKIM_EXPIRY);

    /** The variables the Lambda function cannot run without. */
    public static final List<String> REQUIRED = List.of(TABLE, QUEUE_URL, DEAD_LETTER_QUEUE_URL, HELO);

    /** Most records a batch delivers at once; more would only contend for the same sockets and memory. */
    public static final int MAX_CONCURRENCY = 256;

    /**
     * Reads and validates every variable.
     *
     * @param required the variables that must be set (the Lambda function needs {@link #REQUIRED};
     *     the command line fills some from options first)
     * @throws IllegalArgumentException listing every problem, one sentence each
     */
    public static DirectmxConfig from(Map<String, String> env, List<String> required) {
        List<String> problems = new ArrayList<>();
        for (String name : required) {
            if (blank(env.get(name))) {
                problems.add(name + " is not set: " + purpose(name));
            }
        }
        Reader r = new Reader(env, problems);
        List<ServicePort> ports = r.ports(PORTS, "25");
        List<ServicePort> fallback = r.ports(FALLBACK_PORTS, "465,587");
        Duration deadline = r.duration(DEADLINE, "60s");
        Duration dnsTimeout = r.duration(DNS_TIMEOUT, "5s");
        Duration maxAge = r.duration(MAX_AGE, "5d");
        Duration window = r.duration(PERMANENT_RETRY_WINDOW, "24h");
        Duration backoffMin = r.duration(BACKOFF_MIN, "5m");
        Duration backoffMax = r.duration(BACKOFF_MAX, "690m");
        Duration reserve = r.duration(TIME_RESERVE, "15s");
        Duration ttl = r.duration(RECORD_TTL, "30d");
        int concurrency = r.integer(CONCURRENCY, 16, 1, MAX_CONCURRENCY);
        boolean allowPrivate = r.bool(ALLOW_PRIVATE);
        boolean requireTls = r.bool(REQUIRE_TLS);
        Dkim dkim = r.dkim();
        RetryPolicy retry = null;
        DeliverySettings delivery = null;
        if (problems.isEmpty()) {
            try {
                retry = new RetryPolicy(backoffMin, backoffMax, maxAge, window);
            } catch (IllegalArgumentException e) {
                problems.add(BACKOFF_MIN + "/" + BACKOFF_MAX + "/" + MAX_AGE + ": " + e.getMessage());
            }
            try {
                delivery = new DeliverySettings(ports, fallback, new AddressPolicy(allowPrivate),
                        requireTls ? StartTls.REQUIRED : StartTls.WHEN_OFFERED, deadline, dnsTimeout);
            } catch (IllegalArgumentException e) {
                problems.add(PORTS + ": " + e.getMessage());
            }
            if (ttl.compareTo(maxAge) <= 0) {
                problems.add(RECORD_TTL + " (" + ttl + ") must be longer than " + MAX_AGE + " (" + maxAge
                        + "), or records would vanish while their message is still retried");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("directmx configuration: " + String.join("; ", problems));
        }
        return new DirectmxConfig(trim(env.get(TABLE)), trim(env.get(QUEUE_URL)), trim(env.get(DEAD_LETTER_QUEUE_URL)),
                trim(env.get(HELO)), optional(env.get(DNS)), delivery, retry, concurrency, reserve, ttl, dkim);
    }

    /**
     * Reads only the DKIM variables (for {@code send}, which takes nothing else from the
     * environment).
     *
     * @throws IllegalArgumentException naming the variable at fault
     */
    public static Dkim dkim(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Dkim dkim = new Reader(env, problems).dkim();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("directmx configuration: " + String.join("; ", problems));
        }
        return dkim;
    }

    private static String purpose(String name) {
        return switch (name) {
            case TABLE -> "name the DynamoDB table that records outcomes";
            case QUEUE_URL -> "give the URL of the queue messages come from";
            case DEAD_LETTER_QUEUE_URL -> "give the URL of the dead-letter queue that keeps invalid messages";
            case HELO -> "give the fully qualified name to greet servers with (EHLO), matching the sending IP's PTR record";
            default -> "set it";
        };
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String trim(String s) {
        return blank(s) ? null : s.strip();
    }

    private static Optional<String> optional(String s) {
        return Optional.ofNullable(trim(s));
    }

    /** Reads values, collecting problems instead of stopping at the first. */
    private record Reader(Map<String, String> env, List<String> problems) {
        String value(String name, String fallback) {
            String v = env.get(name);
            return blank(v) ? fallback : v.strip();
        }

        Duration duration(String name, String fallback) {
            try {
                return Durations.parse(name, value(name, fallback));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                return Duration.ofSeconds(1);
            }
        }

        List<ServicePort> ports(String name, String fallback) {
            try {
                return ServicePort.parseList(name, value(name, fallback));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
                return List.of();
            }
        }

        int integer(String name, int fallback, int min, int max) {
            String v = value(name, String.valueOf(fallback));
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                problems.add(name + ": '" + v + "' is not a whole number from " + min + " to " + max);
                return fallback;
            }
        }

        Dkim dkim() {
            List<KeySpec> keys = List.of();
            SigningSettings settings = SigningSettings.defaults();
            try {
                keys = KeySpec.parseList(DKIM_KEYS, value(DKIM_KEYS, ""));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            try {
                settings = settings.withCanonicalization(DKIM_CANONICALIZATION, value(DKIM_CANONICALIZATION, "relaxed/relaxed"));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            String expiry = value(DKIM_EXPIRY, "");
            if (!expiry.isEmpty()) {
                try {
                    settings = settings.withExpiry(Durations.parse(DKIM_EXPIRY, expiry));
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage().startsWith(DKIM_EXPIRY) ? e.getMessage() : DKIM_EXPIRY + ": " + e.getMessage());
                }
            }
            return new Dkim(keys, settings);
        }

        boolean bool(String name) {
            String v = value(name, "false").toLowerCase(java.util.Locale.ROOT);
            return switch (v) {
                case "true", "yes", "1" -> true;
                case "false", "no", "0" -> false;
                default -> {
                    problems.add(name + ": '" + v + "' is not true or false");
                    yield false;
                }
            };
        }
    }
}
