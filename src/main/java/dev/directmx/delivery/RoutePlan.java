package dev.directmx.delivery;

import java.util.List;

/**
 * The routes to try for one domain, in order, and the addresses left out by policy.
 *
 * @param routes the routes to try, first to last
 * @param refused one sentence per address the {@link AddressPolicy} refused
 */
public record RoutePlan(List<Route> routes, List<String> refused) {
    public RoutePlan {
        routes = List.copyOf(routes);
        refused = List.copyOf(refused);
    }
}
