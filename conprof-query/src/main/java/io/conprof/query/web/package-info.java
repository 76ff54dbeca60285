/**
 * conprof's HTTP API and web UI on the JDK's HTTP server: {@link io.conprof.query.web.WebServer}.
 * The API is conprof-compatible ({@code /api/v1/query_range}, {@code query}, {@code series},
 * {@code labels}, {@code label/<name>/values}, {@code targets}); the UI is static files served
 * from the jar.
 */
package io.conprof.query.web;
