package partnernetz;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Neo4j 5 community, in this process, for Partnernetz's tests: Bolt on
 * 127.0.0.1:PORT only (no HTTP), authentication enabled (user neo4j with the
 * given password), data kept in HOME (a restart on the same HOME finds the
 * data again, after recovery when the process was killed).
 *
 * Prints "READY bolt://127.0.0.1:PORT" on stdout once it accepts Bolt
 * connections; shuts down cleanly when stdin closes or on SIGTERM.
 *
 * Usage: TestServer PORT PASSWORD HOME [PAGECACHE_MB]
 */
public final class TestServer {
    private TestServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: TestServer PORT PASSWORD HOME [PAGECACHE_MB]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        String password = args[1];
        Path home = Path.of(args[2]).toAbsolutePath();
        long pageCacheMb = args.length > 3 ? Long.parseLong(args[3]) : 256;
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .build();
        try {
            dbms.database("system").executeTransactionally(
                    "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        } catch (RuntimeException sameAsBefore) {
            // a restart on the same HOME: the password is already set
        }
        Object lock = new Object();
        boolean[] down = {false};
        Runnable stop = () -> {
            synchronized (lock) {
                if (!down[0]) {
                    down[0] = true;
                    dbms.shutdown();
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "partnernetz-neo4j-stop"));
        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();
        try {
            while (System.in.read() != -1) {
                // wait until stdin closes
            }
        } catch (IOException gone) {
            // stdin gone: stop
        }
        stop.run();
        System.out.println("STOPPED");
        System.out.flush();
        System.exit(0);
    }
}
