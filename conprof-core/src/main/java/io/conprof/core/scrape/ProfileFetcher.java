package io.conprof.core.scrape;

import java.util.concurrent.CompletableFuture;

/**
 * Fetches one profile over HTTP. The scrape loop talks to this interface only, so the HTTP client
 * (OkHttp in {@link OkHttpProfileFetcher}) never appears in a signature and tests can substitute
 * their own.
 *
 * <p>Contract: {@link #fetch} never throws for a failed request; every failure (refused
 * connection, timeout, oversized body, TLS) completes the future normally with a
 * {@link FetchResult} whose {@link FetchResult#failure()} is set. The future completes within
 * roughly {@link FetchRequest#timeout()} after the request starts executing (requests may wait in
 * a queue first when the fetcher bounds its concurrency). Implementations are thread-safe.
 */
public interface ProfileFetcher extends AutoCloseable {
  /** Starts the request; the result arrives on the returned future. */
  CompletableFuture<FetchResult> fetch(FetchRequest request);

  /** Cancels requests in flight and releases threads and connections. Idempotent. */
  @Override
  void close();
}
