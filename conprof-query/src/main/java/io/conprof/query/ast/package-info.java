/**
 * The immutable AST of a parsed query: {@link io.conprof.query.ast.Expr} and its records, each
 * with its source {@link io.conprof.query.ast.Position} and {@link io.conprof.query.ast.ResultType}.
 */
package io.conprof.query.ast;
