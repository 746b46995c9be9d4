package dev.directmx.smtp;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS client context for MX delivery. MTA-to-MTA TLS without MTA-STS or DANE is opportunistic
 * (RFC 7435 §1, RFC 3207 §4.1): MX certificates are routinely self-signed or name another host,
 * and refusing them would only push the message into plaintext. So the certificate is not
 * verified; encryption still defeats passive eavesdropping. Authenticated policies (MTA-STS,
 * DANE) are a separate, later feature.
 */
public final class OpportunisticTls {

    private OpportunisticTls() {
    }

    /** A socket factory that accepts any server certificate, TLS 1.2 and 1.3 only. */
    public static SSLSocketFactory socketFactory() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAnyCertificate()}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no TLS implementation", e);
        }
    }

    /**
     * Builds, in memory, the ClientHello a STARTTLS handshake would send (TLS 1.3 and 1.2, key
     * shares generated), sending nothing: it loads and initialises the JDK's TLS client, the
     * largest share of the classes a first delivery loads, so that priming before a SnapStart
     * snapshot can include it.
     *
     * @return the ClientHello's size in octets
     */
    public static int primeClientHello() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAnyCertificate()}, null);
            javax.net.ssl.SSLEngine engine = context.createSSLEngine("mx.example.com", 25);
            engine.setUseClientMode(true);
            engine.setEnabledProtocols(PROTOCOLS);
            engine.beginHandshake();
            java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.wrap(java.nio.ByteBuffer.allocate(0), out);
            engine.closeOutbound();
            return out.position();
        } catch (GeneralSecurityException | javax.net.ssl.SSLException e) {
            throw new IllegalStateException("the JDK's TLS client could not build a ClientHello: " + e, e);
        }
    }

    /** Protocols offered to servers: TLS 1.0 and 1.1 are obsolete (RFC 8996). */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static final class AcceptAnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // Never called on a client socket.
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // Opportunistic TLS: see the class comment.
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
