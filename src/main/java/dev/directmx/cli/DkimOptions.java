package dev.directmx.cli;

import dev.directmx.lambda.DirectmxConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The DKIM options of the commands that deliver (a picocli mixin). Each overrides the
 * environment variable of the same meaning, so a command line and the function's configuration
 * mix freely.
 */
final class DkimOptions {

    @Option(names = "--dkim-key", paramLabel = "DOMAIN/SELECTOR=SOURCE",
            description = {"A DKIM signing key; repeat for more (two for one domain sign twice, e.g. RSA and Ed25519).",
                "SOURCE: file:PATH, env:VARIABLE, secretsmanager:SECRET-ID or ssm:PARAMETER-NAME.",
                "Default: $DIRECTMX_DKIM_KEYS. Mail from a domain without a key goes unsigned."})
    List<String> keys = new ArrayList<>();

    @Option(names = "--dkim-canonicalization", paramLabel = "HEADER/BODY",
            description = "simple or relaxed for headers/body (default: $DIRECTMX_DKIM_CANONICALIZATION, else relaxed/relaxed).")
    String canonicalization;

    @Option(names = "--dkim-expiry", paramLabel = "DURATION",
            description = "Signature lifetime, the x= tag, e.g. 7d (default: $DIRECTMX_DKIM_EXPIRY, else none).")
    String expiry;

    /** Lays the options over {@code env} under the variables' names. */
    void overlay(Map<String, String> env) {
        if (!keys.isEmpty()) {
            env.put(DirectmxConfig.DKIM_KEYS, String.join(",", keys));
        }
        if (canonicalization != null) {
            env.put(DirectmxConfig.DKIM_CANONICALIZATION, canonicalization);
        }
        if (expiry != null) {
            env.put(DirectmxConfig.DKIM_EXPIRY, expiry);
        }
    }
}
