/**
 * The conprof query language: {@link io.conprof.query.QueryParser} turns query text into the
 * AST of {@link io.conprof.query.ast} or a {@link io.conprof.query.QueryParseException} with
 * Prometheus' {@code line:column} and wording. The syntax is described in
 * {@code docs/query-language.md}.
 */
package io.conprof.query;
