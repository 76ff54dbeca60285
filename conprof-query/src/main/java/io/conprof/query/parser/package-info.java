/**
 * Internal: the ANTLR lexer and parser generated from {@code src/main/antlr4} and the keyword
 * table they use. Not an API; parse trees never leave the module. Use
 * {@link io.conprof.query.QueryParser}.
 */
package io.conprof.query.parser;
