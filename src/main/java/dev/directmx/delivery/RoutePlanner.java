package dev.directmx.delivery;

import dev.directmx.dns.Destinations;
import dev.directmx.dns.MxHost;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a domain's destinations into the ordered list of routes the seed describes: every MX host
 * on the primary port, one address at a time (a dead first MX is normal: nolisting); then the
 * domain's own A/AAAA; then all of those again on each fallback port (465 with implicit TLS, then
 * 587 with STARTTLS, by default). No sockets: a pure function of its inputs. Thread-safe.
 */
public final class RoutePlanner {

    /**
     * Routes tried per domain at most. Ten hosts with a few addresses on three ports could make
     * hundreds; past this many the message deadline is the real limit anyway.
     */
    public static final int MAX_ROUTES = 48;

    private final List<ServicePort> primaryPorts;
    private final List<ServicePort> fallbackPorts;
    private final AddressPolicy policy;

    public RoutePlanner(List<ServicePort> primaryPorts, List<ServicePort> fallbackPorts, AddressPolicy policy) {
        if (primaryPorts.isEmpty()) {
            throw new IllegalArgumentException("at least one delivery port is needed (normally 25)");
        }
        this.primaryPorts = List.copyOf(primaryPorts);
        this.fallbackPorts = List.copyOf(fallbackPorts);
        this.policy = policy;
    }

    public RoutePlan plan(Destinations.Found destinations) {
        List<Route> routes = new ArrayList<>();
        Set<String> refused = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        List<ServicePort> ports = new ArrayList<>(primaryPorts);
        ports.addAll(fallbackPorts);
        for (ServicePort port : ports) {
            Route.Kind hostKind = destinations.implicitMx() ? Route.Kind.IMPLICIT_MX : Route.Kind.MX;
            for (MxHost host : destinations.mxHosts()) {
                for (InetAddress address : host.addresses()) {
                    add(routes, seen, refused, new Route(host.name(), address, port, hostKind));
                }
            }
            // The seed: when the MX hosts fail, try the domain's own A/AAAA before giving up.
            for (InetAddress address : destinations.domainAddresses()) {
                add(routes, seen, refused, new Route(destinations.domain(), address, port, Route.Kind.DOMAIN_ADDRESS));
            }
        }
        List<Route> capped = routes.size() > MAX_ROUTES ? routes.subList(0, MAX_ROUTES) : routes;
        return new RoutePlan(capped, List.copyOf(refused));
    }

    private void add(List<Route> routes, Set<String> seen, Set<String> refused, Route route) {
        var refusal = policy.refusal(route.address());
        if (refusal.isPresent()) {
            refused.add(route.host() + ": " + refusal.get());
            return;
        }
        // The same address and port reached through two names is one route.
        if (seen.add(route.address().getHostAddress() + "|" + route.port().port())) {
            routes.add(route);
        }
    }
}
