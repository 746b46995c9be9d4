package dev.directmx.sandbox.dns;

import dev.directmx.sandbox.dns.ReceivedQuery.Transport;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An authoritative DNS server on the wire, serving {@link SandboxZones} over UDP and TCP on one
 * port, for tests and the offline demo. Point dnsjava at it with {@code new
 * SimpleResolver(server.address())}.
 *
 * <p>Lifecycle: {@link #start} binds both sockets and starts serving at once; {@link #close} stops
 * every thread the server started and frees the port. One instance per test (or per class); the
 * zones are copied at start and cannot change afterwards. Threads are virtual: one receives UDP,
 * one accepts TCP, and one serves each TCP connection, answering its queries in order (RFC 7766
 * §6.2.1).
 */
public final class ZoneDnsServer implements AutoCloseable {

    /**
     * How long a TCP connection may sit without a query before the server closes it (RFC 7766
     * §6.2.3). The default value is 10 seconds: longer than any test waits, short enough that a
     * forgotten connection does not hold a thread for long.
     */
    public static final Duration TCP_IDLE_TIMEOUT = Duration.ofSeconds(10);

    /** How long {@link #close} waits for the server's threads to end. The default is 2 seconds. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

    /**
     * Ephemeral ports tried before giving up when the TCP side of a free UDP port is taken. The
     * default is 20: a clash needs another process to hold that exact port, so one retry nearly
     * always suffices.
     */
    static final int BIND_ATTEMPTS = 20;

    /** The largest UDP datagram, so that no query is cut short on receipt. */
    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramSocket udp;
    private final InetSocketAddress address;
    private final ServerSocket tcp;
    private final QueryHandler handler;
    private final List<ReceivedQuery> queries = new CopyOnWriteArrayList<>();
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads =
            Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("zone-dns-", 0).factory());
    private final AtomicBoolean closed = new AtomicBoolean();

    private ZoneDnsServer(Authority authority, DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.address = (InetSocketAddress) udp.getLocalSocketAddress();
        this.tcp = tcp;
        this.handler = new QueryHandler(authority, queries::add);
    }

    /** Starts serving {@code zones} on 127.0.0.1, on an ephemeral port shared by UDP and TCP. */
    public static ZoneDnsServer start(SandboxZones zones) throws IOException {
        InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        return start(zones, new InetSocketAddress(loopback, 0));
    }

    /**
     * Starts serving {@code zones} on {@code bind}; port 0 picks an ephemeral port that is free for
     * both UDP and TCP. Meant for loopback addresses: the server answers anyone who can reach it.
     */
    public static ZoneDnsServer start(SandboxZones zones, InetSocketAddress bind) throws IOException {
        if (bind.isUnresolved()) {
            throw new IllegalArgumentException("bind address must be an IP address: " + bind);
        }
        Authority authority = zones.authority();
        ZoneDnsServer server = bindSamePort(bind, authority);
        server.threads.execute(server::serveUdp);
        server.threads.execute(server::acceptTcp);
        return server;
    }

    /** The address both sockets are bound to; still known after {@link #close}. */
    public InetSocketAddress address() {
        return address;
    }

    /**
     * The bound address as {@code host:port}: {@code 127.0.0.1:53123}, or {@code
     * [0:0:0:0:0:0:0:1]:53123} for IPv6.
     */
    public String hostPort() {
        InetAddress host = address.getAddress();
        String text = host.getHostAddress();
        return (host instanceof Inet6Address ? "[" + text + "]" : text) + ":" + address.getPort();
    }

    /** Every well-formed query received so far, in arrival order, including unanswered ones. */
    public List<ReceivedQuery> queries() {
        return List.copyOf(queries);
    }

    /**
     * Stops serving: closes both sockets and every open connection, and waits for the server's
     * threads to end. Idempotent.
     *
     * @throws IllegalStateException if a thread is still running after {@link #CLOSE_TIMEOUT}
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Closing the sockets wakes the threads blocked in receive, accept and read.
        udp.close();
        closeQuietly(tcp);
        threads.shutdown();
        connections.forEach(ZoneDnsServer::closeQuietly);
        try {
            if (!threads.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                threads.shutdownNow();
                throw new IllegalStateException("DNS server threads still running after " + CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            threads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ZoneDnsServer[" + hostPort() + "]";
    }

    private static ZoneDnsServer bindSamePort(InetSocketAddress bind, Authority authority)
            throws IOException {
        int attempts = bind.getPort() == 0 ? BIND_ATTEMPTS : 1;
        for (int attempt = 1; ; attempt++) {
            DatagramSocket udp = new DatagramSocket(bind);
            InetSocketAddress samePort = new InetSocketAddress(bind.getAddress(), udp.getLocalPort());
            ServerSocket tcp = new ServerSocket();
            try {
                tcp.bind(samePort);
                return new ZoneDnsServer(authority, udp, tcp);
            } catch (IOException e) {
                udp.close();
                tcp.close();
                if (!(e instanceof BindException) || attempt >= attempts) {
                    throw e;
                }
            }
        }
    }

    private void serveUdp() {
        byte[] buffer = new byte[MAX_DATAGRAM];
        while (!udp.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
                byte[] query = Arrays.copyOf(packet.getData(), packet.getLength());
                Optional<byte[]> reply = handler.respond(query, Transport.UDP);
                if (reply.isPresent()) {
                    udp.send(new DatagramPacket(reply.get(), reply.get().length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                // Either close() closed the socket, which ends the loop, or one reply was lost, as UDP
                // replies may be; the client retries or times out.
            }
        }
    }

    private void acceptTcp() {
        while (!tcp.isClosed()) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                continue; // close() closed the socket, which ends the loop, or one connection failed.
            }
            connections.add(socket);
            try {
                threads.execute(() -> serveConnection(socket));
            } catch (RejectedExecutionException e) {
                connections.remove(socket); // close() has begun and will not see this connection.
                closeQuietly(socket);
            }
        }
    }

    /** RFC 1035 §4.2.2: each message is preceded by its length in two bytes. */
    private void serveConnection(Socket socket) {
        try (socket) {
            socket.setSoTimeout(Math.toIntExact(TCP_IDLE_TIMEOUT.toMillis()));
            var in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            var out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            while (true) {
                int length = in.readUnsignedShort();
                byte[] query = in.readNBytes(length);
                if (query.length < length) {
                    return; // The client closed in the middle of a message.
                }
                Optional<byte[]> reply = handler.respond(query, Transport.TCP);
                if (reply.isPresent()) {
                    out.writeShort(reply.get().length);
                    out.write(reply.get());
                    out.flush();
                }
            }
        } catch (IOException e) {
            // The client closed (EOF), went idle past TCP_IDLE_TIMEOUT, or close() closed the socket.
        } finally {
            connections.remove(socket);
        }
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // Nothing more to free: the socket is unusable either way.
        }
    }
}
