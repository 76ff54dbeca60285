/*
 * Tokens of the conprof query language. The lexer mirrors Prometheus' PromQL lexer (promql/parser/lex.go)
 * for the parts conprof supports: it has one mode outside braces, one inside label matchers ({...}) and one
 * inside range brackets ([...]), as Prometheus tracks braceOpen and bracketOpen.
 *
 * Some inputs that Prometheus refuses in its lexer are lexed here as tokens of their own (unterminated strings,
 * stray characters) and turned into ERROR tokens with Prometheus' message by io.conprof.query.CheckedTokenSource (hand-written),
 * so that an error is reported when the parser reaches it, as Prometheus' lazy lexer does.
 */
lexer grammar ConprofQueryLexer;

tokens {
  IDENTIFIER, METRIC_IDENTIFIER, OFFSET, BY, START, END, KEYWORD_NAME, RESERVED_KEYWORD, ERROR
}

// ---- outside braces and brackets (Prometheus' lexStatements) ----

WS: [ \t\r\n]+ -> skip;
COMMENT: '#' ~[\n]* -> skip;

LEFT_BRACE: '{' -> pushMode(BRACES);
LEFT_BRACKET: '[' -> pushMode(BRACKETS);
LEFT_PAREN: '(';
RIGHT_PAREN: ')';
COMMA: ',';
AT: '@';
SUB: '-';
ADD: '+';
// PromQL's binary operators: valid PromQL tokens that the conprof grammar does not accept.
OPERATOR: '*' | '/' | '%' | '^' | '==' | '!=' | '<=' | '<' | '>=' | '>';
EQL: '=';

// Prometheus' scanNumber: decimal and hexadecimal integers, floats with an optional exponent.
NUMBER
  : '0' [xX] [0-9a-fA-F]+
  | [0-9]+ ('.' [0-9]*)? ([eE] [+-]? [0-9]+)?
  | '.' [0-9]+ ([eE] [+-]? [0-9]+)?
  ;

// A word that starts with a digit and goes on with letters: a duration such as 5m or 1h30m, checked when the
// AST is built so that an invalid one ("1h1h", "5x") is reported with Prometheus' duration message.
DURATION: [0-9]+ [a-zA-Z] [a-zA-Z0-9_]*;

// Identifiers, metric identifiers (with colons) and keywords, told apart as Prometheus' lexKeywordOrIdentifier
// does: case-insensitive keywords first, then a colon makes a metric identifier.
NAME: [a-zA-Z_:] [a-zA-Z0-9_:]* { setType(Keywords.tokenType(getText())); };

STRING: DQ_STRING | SQ_STRING | RAW_STRING;
UNTERMINATED_STRING: DQ_OPEN | SQ_OPEN | RAW_OPEN;

BAD_CHAR: .;

// ---- inside braces (Prometheus' lexInsideBraces) ----
mode BRACES;

B_WS: [ \t\r\n]+ -> skip;
B_COMMENT: '#' ~[\n]* -> skip;
LABEL_NAME: [a-zA-Z_] [a-zA-Z0-9_]* -> type(IDENTIFIER);
B_COMMA: ',' -> type(COMMA);
EQL_REGEX: '=~';
B_EQL: '=' -> type(EQL);
NEQ: '!=';
NEQ_REGEX: '!~';
B_BANG: '!';
B_STRING: (DQ_STRING | SQ_STRING | RAW_STRING) -> type(STRING);
B_UNTERMINATED_STRING: (DQ_OPEN | SQ_OPEN | RAW_OPEN) -> type(UNTERMINATED_STRING);
RIGHT_BRACE: '}' -> popMode;
B_LEFT_BRACE: '{';
B_BAD_CHAR: .;

// ---- inside range brackets ----
mode BRACKETS;

K_WS: [ \t\r\n]+ -> skip;
K_DURATION: [0-9.] [a-zA-Z0-9_.]* -> type(DURATION);
COLON: ':';
RIGHT_BRACKET: ']' -> popMode;
K_LEFT_BRACKET: '[';
K_BAD_CHAR: .;

// Strings as Prometheus' lexString/lexRawString delimit them; escapes are checked by the token source.
fragment DQ_STRING: '"' (~["\\\n] | '\\' .)* '"';
fragment SQ_STRING: '\'' (~['\\\n] | '\\' .)* '\'';
fragment RAW_STRING: '`' ~'`'* '`';
fragment DQ_OPEN: '"' (~["\\\n] | '\\' .)* '\\'?;
fragment SQ_OPEN: '\'' (~['\\\n] | '\\' .)* '\\'?;
fragment RAW_OPEN: '`' ~'`'*;
