package kg.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.admin.security.SetInitialPasswordCommand;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.server.CommunityBootstrapper;
import picocli.CommandLine;

/**
 * Starts the project's local Neo4j Community server (Bolt, HTTP and Neo4j Browser) from
 * the jars Maven fetched, the same bootstrapper the Neo4j distribution runs.
 *
 * Usage: LocalServer HOME. HOME/conf/neo4j.conf is written by `kg neo4j serve`; the
 * password of the user neo4j comes from the environment variable NEO4J_PASSWORD only
 * (never the command line, where `ps` would show it). SIGTERM stops the server cleanly.
 */
public final class LocalServer {
    private LocalServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: LocalServer NEO4J_HOME");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path confDir = home.resolve("conf");
        String password = System.getenv("NEO4J_PASSWORD");
        if (password == null || password.isEmpty()) {
            System.err.println("kg-neo4j: NEO4J_PASSWORD is not set");
            System.exit(2);
        }
        if (!Files.exists(home.resolve("data").resolve("dbms"))) {
            setInitialPassword(home, confDir, password);
        }
        CommunityBootstrapper server = new CommunityBootstrapper();
        int status = server.start(home, confDir.resolve("neo4j.conf"), Map.of(), false, false);
        if (status != 0) {
            System.err.println("kg-neo4j: server failed to start (status " + status + ")");
            System.exit(status);
        }
        alignPassword(server.getDatabaseManagementService(), password);
        stopWithWatchedProcess(System.getenv("KG_NEO4J_STOP_WITH_PID"));
        System.out.println("kg-neo4j: ready");
        new CountDownLatch(1).await(); // the bootstrapper's signal handler exits the JVM
    }

    /**
     * Tests pass their own pid: when that process dies (even killed), the server stops
     * cleanly instead of running on with nobody to stop it.
     */
    private static void stopWithWatchedProcess(String pid) {
        if (pid == null || pid.isEmpty()) {
            return;
        }
        ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
                watched -> watched.onExit().thenRun(() -> {
                    System.out.println("kg-neo4j: process " + pid + " ended, stopping");
                    System.exit(0);
                }),
                () -> System.exit(0));
    }

    /** First start only: the system database is created with this password already set. */
    private static void setInitialPassword(Path home, Path confDir, String password) {
        int exit = new CommandLine(new SetInitialPasswordCommand(new ExecutionContext(home, confDir)))
                .execute(password);
        if (exit != 0) {
            System.err.println("kg-neo4j: could not set the initial password (exit " + exit + ")");
            System.exit(exit);
        }
    }

    /** Later starts: follow NEO4J_PASSWORD if it changed since the data folder was made. */
    private static void alignPassword(DatabaseManagementService dbms, String password) {
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException sameOrRejected) {
            // Neo4j refuses to "change" a password to the one already set: nothing to do.
            String message = String.valueOf(sameOrRejected.getMessage());
            if (!message.contains("cannot be the same")) {
                System.err.println("kg-neo4j: could not set the password: " + message);
            }
        }
    }
}
