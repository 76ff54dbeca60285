package io.conprof.core.jvm;

import io.conprof.core.pprof.Profile;
import io.conprof.core.pprof.ProfileReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A small host application for child-JVM tests: starts the endpoint, reads two profiles, reports. */
public final class ProfilerProbe {
  private ProfilerProbe() {}

  public static void main(String[] args) throws Exception {
    try (PprofEndpoint endpoint = PprofEndpoint.builder().port(0).start()) {
      System.out.println("available=" + endpoint.jfrAvailable());
      HttpClient http = HttpClient.newHttpClient();
      for (String name : new String[] {"heap", "goroutine"}) {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(endpoint.uri() + name)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        Profile p = ProfileReader.defaults().parse(r.body());
        System.out.println(name + " status=" + r.statusCode() + " samples=" + p.sampleCount()
            + " comments=" + p.comments());
      }
    }
  }
}
