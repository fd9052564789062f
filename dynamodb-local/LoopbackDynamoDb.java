// Starts Amazon DynamoDB Local listening on 127.0.0.1 only.
//
// DynamoDBLocal.jar's own main binds every interface and has no option for the address; this
// builds the same server from the same command-line arguments (ServerRunner does the parsing),
// sets its one Jetty connector's host to the loopback address, and starts it. Everything else —
// the engine, its checks, its answers — is DynamoDB Local's own. Run by scripts/dynamodb-local.
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDb {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field jettyField = DynamoDBProxyServer.class.getDeclaredField("server");
    jettyField.setAccessible(true);
    Server jetty = (Server) jettyField.get(proxy);
    for (Connector connector : jetty.getConnectors()) {
      ((ServerConnector) connector).setHost("127.0.0.1");
    }
    proxy.start();
    proxy.join();
  }
}
