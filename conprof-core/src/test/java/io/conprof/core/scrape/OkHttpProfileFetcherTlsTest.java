package io.conprof.core.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tls_config against an HTTPS server whose self-signed certificate (made by the JDK's keytool)
 * names only "localhost" while the URL says 127.0.0.1; the server demands a client certificate.
 */
class OkHttpProfileFetcherTlsTest {
  @TempDir static Path dir;
  private static HttpsServer server;
  private static ExecutorService executor;
  private static Path caPem;
  private static Path keyPem;
  private static OkHttpProfileFetcher fetcher;

  @BeforeAll
  static void start() throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Assumptions.assumeTrue(Files.isExecutable(keytool), "the JDK's keytool is missing at " + keytool);
    Path ks = dir.resolve("ks.p12");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "srv", "-keyalg", "RSA",
        "-keysize", "2048", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2",
        "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "secret", "-keypass", "secret")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();

    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(ks.toFile())) {
      store.load(in, "secret".toCharArray());
    }
    caPem = dir.resolve("ca.pem");
    Files.writeString(caPem, pem("CERTIFICATE", store.getCertificate("srv").getEncoded()));
    keyPem = dir.resolve("key.pem");
    PrivateKey key = (PrivateKey) store.getKey("srv", "secret".toCharArray());
    Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));

    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, "secret".toCharArray());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store); // the client must present this same certificate
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
      @Override
      public void configure(HttpsParameters params) {
        javax.net.ssl.SSLParameters sp = ctx.getDefaultSSLParameters();
        sp.setNeedClientAuth(true);
        params.setSSLParameters(sp);
      }
    });
    executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "test-http-tls");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", ex -> {
      byte[] body = "secure".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream o = ex.getResponseBody()) {
        o.write(body);
      }
    });
    server.start();
    fetcher = OkHttpProfileFetcher.builder().build();
  }

  @AfterAll
  static void stop() {
    if (fetcher != null) {
      fetcher.close();
    }
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private static FetchResult fetch(TlsSettings tls) throws Exception {
    URI url = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/debug/pprof/heap");
    return fetcher.fetch(new FetchRequest(url, Map.of(), Duration.ofSeconds(20), 1 << 20, tls))
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void caFileClientCertAndServerName_succeed() throws Exception {
    FetchResult r = fetch(new TlsSettings(caPem, caPem, keyPem, "localhost", false));
    assertThat(r.failure()).as(r.message()).isNull();
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("secure");
  }

  @Test
  void caFileWithoutServerName_failsHostnameVerification() throws Exception {
    FetchResult r = fetch(new TlsSettings(caPem, caPem, keyPem, null, false));
    assertThat(r.failure()).isEqualTo(FetchResult.Failure.TLS);
    assertThat(r.message()).contains("127.0.0.1");
  }

  @Test
  void jdkTrustStore_refusesTheSelfSignedCertificate() throws Exception {
    FetchResult r = fetch(new TlsSettings(null, caPem, keyPem, null, false));
    assertThat(r.failure()).isEqualTo(FetchResult.Failure.TLS);
  }

  @Test
  void insecureSkipVerify_acceptsAnyCertificateAndName() throws Exception {
    FetchResult r = fetch(new TlsSettings(null, caPem, keyPem, null, true));
    assertThat(r.failure()).as(r.message()).isNull();
  }

  @Test
  void missingClientCertificate_isRefusedByTheServer() throws Exception {
    FetchResult r = fetch(new TlsSettings(caPem, null, null, "localhost", false));
    assertThat(r.isFailure()).isTrue();
  }

  @Test
  void unreadableKeyFile_isATlsConfigError() throws Exception {
    Path bad = dir.resolve("bad-key.pem");
    Files.writeString(bad, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    FetchResult r = fetch(new TlsSettings(caPem, caPem, bad, "localhost", false));
    assertThat(r.failure()).isEqualTo(FetchResult.Failure.TLS);
    assertThat(r.message()).contains("tls_config: " + bad + ": SEC1 \"EC PRIVATE KEY\" is not supported");
  }
}
