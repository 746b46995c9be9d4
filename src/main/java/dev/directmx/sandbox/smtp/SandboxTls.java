package dev.directmx.sandbox.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS identity of the local sandbox: a self-signed certificate for {@code mx.sandbox.test}
 * (also valid for {@code localhost} and {@code 127.0.0.1}) with its EC P-256 key, stored in
 * {@code dev/directmx/sandbox/sandbox-tls.p12} on the classpath.
 *
 * <p><strong>The private key is public.</strong> It is committed to the repository and shipped in
 * the jar, so it protects nothing: it exists only so that {@link ScriptedSmtpServer} can offer
 * STARTTLS and implicit TLS in tests and in the offline {@code demo}. Never use it for a server
 * that anyone else can reach.
 *
 * <p>The keystore was made once with {@code keytool -genkeypair -alias sandbox -keyalg EC
 * -groupname secp256r1 -startdate 2020/01/01 -validity 36500 -dname "CN=mx.sandbox.test" -ext
 * "SAN=dns:mx.sandbox.test,dns:localhost,ip:127.0.0.1" -storetype PKCS12 -storepass
 * directmx-sandbox}. Contexts are built on each call; they are cheap next to a handshake.
 */
public final class SandboxTls {

    /** The classpath location of the PKCS12 keystore. */
    public static final String KEYSTORE_RESOURCE = "/dev/directmx/sandbox/sandbox-tls.p12";

    private static final String ALIAS = "sandbox";

    // Public on purpose, like the key it guards; see the class comment.
    private static final char[] PASSWORD = "directmx-sandbox".toCharArray();

    private SandboxTls() {}

    /** Returns a server context that presents the sandbox certificate. */
    public static SSLContext serverContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore(), PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build the sandbox TLS server context", e);
        }
    }

    /**
     * Returns a client context that trusts the sandbox certificate and nothing else, for tests and
     * for the demo's client. It checks the chain only; whether the client also checks the host name
     * is the client's own setting.
     */
    public static SSLContext clientContext() {
        try {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry(ALIAS, certificate());
            TrustManagerFactory trust =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the sandbox TLS client context", e);
        }
    }

    /** Returns the sandbox's self-signed certificate. */
    public static X509Certificate certificate() {
        try {
            return (X509Certificate) keyStore().getCertificate(ALIAS);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the sandbox certificate", e);
        }
    }

    private static KeyStore keyStore() throws GeneralSecurityException {
        try (InputStream in = SandboxTls.class.getResourceAsStream(KEYSTORE_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + KEYSTORE_RESOURCE);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD);
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + KEYSTORE_RESOURCE, e);
        }
    }
}
