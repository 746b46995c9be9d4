package dev.directmx.delivery;

import dev.directmx.smtp.TlsMode;

/**
 * A port to deliver to and how TLS starts there. Port 465 is implicit TLS (RFC 8314 §3.3); every
 * other port starts in plaintext and upgrades with STARTTLS. Written {@code 465}, {@code 2465/tls}
 * or {@code 2587/starttls} in configuration.
 */
public record ServicePort(int port, TlsMode tlsMode) {

    public static final ServicePort SMTP = new ServicePort(25, TlsMode.STARTTLS);
    public static final ServicePort SUBMISSIONS = new ServicePort(465, TlsMode.IMPLICIT);
    public static final ServicePort SUBMISSION = new ServicePort(587, TlsMode.STARTTLS);

    public ServicePort {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not from 1 to 65535");
        }
    }

    /**
     * Parses {@code PORT}, {@code PORT/tls} or {@code PORT/starttls}.
     *
     * @throws IllegalArgumentException naming the text at fault
     */
    public static ServicePort parse(String text) {
        String spec = text.strip();
        String mode = null;
        int slash = spec.indexOf('/');
        if (slash >= 0) {
            mode = spec.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
            spec = spec.substring(0, slash);
        }
        int port;
        try {
            port = Integer.parseInt(spec);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + text + "': expected a number, optionally followed by /tls or /starttls");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port '" + text + "': must be from 1 to 65535");
        }
        if (mode == null) {
            return new ServicePort(port, port == 465 ? TlsMode.IMPLICIT : TlsMode.STARTTLS);
        }
        return switch (mode) {
            case "tls", "implicit", "smtps" -> new ServicePort(port, TlsMode.IMPLICIT);
            case "starttls", "plain" -> new ServicePort(port, TlsMode.STARTTLS);
            default -> throw new IllegalArgumentException("port '" + text + "': unknown TLS mode '" + mode + "'; use /tls or /starttls");
        };
    }

    /**
     * Parses a comma-separated list such as {@code 465,587}; {@code none} or blank is empty.
     *
     * @param name the option or variable, named in errors
     */
    public static java.util.List<ServicePort> parseList(String name, String text) {
        java.util.List<ServicePort> ports = new java.util.ArrayList<>();
        for (String spec : (text == null ? "" : text).split(",")) {
            if (spec.isBlank() || spec.strip().equalsIgnoreCase("none")) {
                continue;
            }
            try {
                ports.add(parse(spec));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage());
            }
        }
        return java.util.List.copyOf(ports);
    }

    @Override
    public String toString() {
        return port + (tlsMode == TlsMode.IMPLICIT ? "/tls" : "");
    }
}
