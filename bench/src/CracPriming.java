import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart-style priming through the org.crac facade: a Resource whose beforeCheckpoint runs
 * a warm-up batch. Loaded only when LambdaChild is given --prime (so org.crac is on the class
 * path of priming runs only).
 */
final class CracPriming {
    private CracPriming() {
    }

    /** Keeps the resource reachable: org.crac holds registered resources weakly. */
    private static Resource primer;

    /** Registers the primer, then runs the checkpoint hooks; returns what checkpointRestore said. */
    static String prime(Runnable warmUp) throws Exception {
        primer = new Resource() {
            @Override
            public void beforeCheckpoint(org.crac.Context<? extends Resource> context) {
                warmUp.run();
            }

            @Override
            public void afterRestore(org.crac.Context<? extends Resource> context) {
            }
        };
        Core.getGlobalContext().register(primer);
        String outcome;
        try {
            // On a CRaC JDK (and in Lambda SnapStart) this runs the hooks, snapshots and restores.
            Core.checkpointRestore();
            outcome = "checkpointRestore() succeeded";
        } catch (UnsupportedOperationException | org.crac.CheckpointException | org.crac.RestoreException e) {
            outcome = "checkpointRestore() unavailable: " + e;
            // No CRaC in this JDK, and the facade's global context refuses direct calls ("should
            // not call this"): run the registered resource's hooks the way the runtime would.
            primer.beforeCheckpoint(Core.getGlobalContext());
            primer.afterRestore(Core.getGlobalContext());
        }
        return outcome;
    }
}
