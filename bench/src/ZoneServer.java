import dev.directmx.sandbox.dns.SandboxZones;
import dev.directmx.sandbox.dns.ZoneDnsServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A tiny sandbox DNS server for the benchmarks (needs target/directmx.jar on the class path):
 * for every DOMAIN=IPV4 argument, "DOMAIN MX 10 mx.DOMAIN" and "mx.DOMAIN A IPV4".
 *
 * <pre>java -cp target/directmx.jar bench/src/ZoneServer.java [--bind 127.0.0.1:0] example.net=127.0.0.3</pre>
 *
 * Prints "dns HOST:PORT" once it answers, then serves until killed.
 */
public final class ZoneServer {
    public static void main(String[] args) throws Exception {
        String bind = "127.0.0.1:0";
        SandboxZones zones = new SandboxZones();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--bind")) {
                bind = args[++i];
            } else if (args[i].equals("--help")) {
                System.out.println("usage: ZoneServer [--bind HOST:PORT] DOMAIN=IPV4 ...");
                return;
            } else {
                String[] kv = args[i].split("=", 2);
                zones.mx(kv[0], 10, "mx." + kv[0]).a("mx." + kv[0], kv[1]);
            }
        }
        int colon = bind.lastIndexOf(':');
        ZoneDnsServer dns = ZoneDnsServer.start(zones, new InetSocketAddress(
                InetAddress.getByName(bind.substring(0, colon)), Integer.parseInt(bind.substring(colon + 1))));
        System.out.println("dns " + dns.hostPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
