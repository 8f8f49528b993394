package io.carbon254.runbook.activities;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import okhttp3.Dns;
import okhttp3.OkHttpClient;

/**
 * Connects to a stand-in on loopback while the request keeps the real host: URL, {@code Host}
 * header, TLS SNI and hostname verification all stay {@code grafana.254carbon.com}, only the TCP
 * connection goes to {@code 127.0.0.1:41234} (curl's {@code --connect-to}). {@link EndpointRoutes}
 * rewrites the URL instead, which suits plain-HTTP fakes but would present the fake's address to
 * TLS.
 *
 * <p>How: a {@link Dns} answers a routed host with a loopback address that remembers the host
 * name, and a {@link SocketFactory} whose sockets, asked to connect to {@code host:port}, connect
 * to the route's target. OkHttp layers TLS over that socket with the URL's host, so SNI and the
 * certificate check are the real ones. Targets must be loopback addresses: nothing is ever sent
 * elsewhere.
 *
 * <p>Optionally the stand-ins' CA is trusted, for the routed hosts only (every other host is
 * checked against the JVM's trust store as before, and a routed host only against that CA).
 */
public final class ConnectToRoutes {

  private final Map<String, InetSocketAddress> routes = new LinkedHashMap<>();
  private final List<String> hosts = new ArrayList<>();
  private final X509Certificate ca;

  /**
   * @param routes {@code host:port} as the URL addresses it → {@code 127.0.0.1:port} (or
   *     {@code [::1]:port}, {@code localhost:port}) to connect to instead
   * @param caPem the CA that signs the stand-ins' certificates, PEM; null: the JVM's trust store only
   * @throws IllegalArgumentException for a malformed route or a target that is not loopback
   */
  public ConnectToRoutes(Map<String, String> routes, String caPem) {
    routes.forEach((from, to) -> {
      HostPort origin = HostPort.parse(from);
      HostPort target = HostPort.parse(to);
      InetAddress address;
      try {
        address = InetAddress.getByName(target.host());
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("connect-to target " + to + " of " + from + " does not resolve", e);
      }
      if (!address.isLoopbackAddress()) {
        throw new IllegalArgumentException("connect-to target " + to + " of " + from + " is not a loopback address:"
            + " connect-to routes only lead to stand-ins on this machine");
      }
      this.routes.put(origin.key(), new InetSocketAddress(address, target.port()));
      if (!hosts.contains(origin.host())) {
        hosts.add(origin.host());
      }
    });
    this.ca = caPem == null ? null : certificate(caPem);
  }

  /** The routed host names. */
  public List<String> hosts() {
    return List.copyOf(hosts);
  }

  /** Applies the routes (and the CA, if any) to a client builder; without routes it is left as it is. */
  public OkHttpClient.Builder applyTo(OkHttpClient.Builder builder) {
    if (routes.isEmpty()) {
      return builder;
    }
    builder.dns(dns(Dns.SYSTEM)).socketFactory(new RoutingSocketFactory(SocketFactory.getDefault()));
    if (ca != null) {
      X509ExtendedTrustManager trust = trustManager();
      try {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trust}, null);
        builder.sslSocketFactory(context.getSocketFactory(), trust);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot build a TLS context trusting the stand-ins' CA", e);
      }
    }
    return builder;
  }

  /** A {@link Dns} answering each routed host with a loopback address carrying its name; others go to {@code fallback}. */
  Dns dns(Dns fallback) {
    return hostname -> {
      String host = hostname.toLowerCase(Locale.ROOT);
      if (!hosts.contains(host)) {
        return fallback.lookup(hostname);
      }
      // The address remembers the name: the routing socket looks the route up by host and port.
      return List.of(InetAddress.getByAddress(host, InetAddress.getLoopbackAddress().getAddress()));
    };
  }

  /** Where a connection to {@code endpoint} really goes; the endpoint itself when it is not routed. */
  SocketAddress target(SocketAddress endpoint) throws ConnectException {
    if (!(endpoint instanceof InetSocketAddress address) || address.getAddress() == null
        || !address.getAddress().isLoopbackAddress()) {
      return endpoint;
    }
    String host = address.getHostString().toLowerCase(Locale.ROOT);
    if (!hosts.contains(host)) {
      return endpoint;
    }
    InetSocketAddress target = routes.get(host + ":" + address.getPort());
    if (target == null) {
      // Resolved to loopback by us, but for a port nobody stands in for: refuse rather than guess.
      throw new ConnectException("no connect-to route for " + host + ":" + address.getPort() + " (routes: " + routes.keySet() + ")");
    }
    return target;
  }

  /** The trust of a client using these routes: the CA for the routed hosts, the JVM's trust store for every other. */
  X509ExtendedTrustManager trustManager() {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setCertificateEntry("stand-ins", ca);
      return new HostScopedTrust(trustManager(store), trustManager(null), hosts);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the trust of the connect-to routes", e);
    }
  }

  private static X509ExtendedTrustManager trustManager(KeyStore store) throws GeneralSecurityException {
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager m : factory.getTrustManagers()) {
      if (m instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X.509 trust manager in " + Arrays.toString(factory.getTrustManagers()));
  }

  private static X509Certificate certificate(String pem) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    } catch (CertificateException e) {
      throw new IllegalArgumentException("the connect-to CA is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  private record HostPort(String host, int port) {
    static HostPort parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new IllegalArgumentException("'" + text + "' is not host:port");
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      try {
        return new HostPort(host.toLowerCase(Locale.ROOT), Integer.parseInt(text.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + text + "' is not host:port", e);
      }
    }

    String key() {
      return host + ":" + port;
    }
  }

  /** Sockets that connect where {@link #target} says. */
  private final class RoutingSocketFactory extends SocketFactory {
    private final SocketFactory delegate;

    RoutingSocketFactory(SocketFactory delegate) {
      this.delegate = delegate;
    }

    @Override
    public Socket createSocket() {
      return new Socket() {
        @Override
        public void connect(SocketAddress endpoint, int timeout) throws IOException {
          super.connect(target(endpoint), timeout);
        }
      };
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return connected(new InetSocketAddress(address, port));
    }

    private Socket connected(InetSocketAddress endpoint) throws IOException {
      Socket socket = createSocket();
      socket.connect(endpoint);
      return socket;
    }
  }

  /** Checks a server's chain against the stand-ins' CA when the peer is a routed host, else against the default trust. */
  private static final class HostScopedTrust extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager standIns;
    private final X509ExtendedTrustManager defaults;
    private final List<String> hosts;

    HostScopedTrust(X509ExtendedTrustManager standIns, X509ExtendedTrustManager defaults, List<String> hosts) {
      this.standIns = standIns;
      this.defaults = defaults;
      this.hosts = hosts;
    }

    private X509ExtendedTrustManager forPeer(String peerHost) {
      return peerHost != null && hosts.contains(peerHost.toLowerCase(Locale.ROOT)) ? standIns : defaults;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      String peer = socket instanceof SSLSocket ssl && ssl.getHandshakeSession() != null ? ssl.getHandshakeSession().getPeerHost() : null;
      forPeer(peer).checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      forPeer(engine == null ? null : engine.getPeerHost()).checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      defaults.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      defaults.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      defaults.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      defaults.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      X509Certificate[] a = defaults.getAcceptedIssuers();
      X509Certificate[] b = standIns.getAcceptedIssuers();
      X509Certificate[] all = Arrays.copyOf(a, a.length + b.length);
      System.arraycopy(b, 0, all, a.length, b.length);
      return all;
    }
  }
}
