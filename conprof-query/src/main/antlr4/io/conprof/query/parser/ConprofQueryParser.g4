/*
 * Syntax of the conprof query language: Prometheus vector selectors with ranges, offset and @ modifiers, and the
 * profile functions merge and diff. The parse tree is turned into io.conprof.query.ast records by
 * io.conprof.query.AstBuilder, which also applies the rules a grammar cannot express (modifier order, function
 * names, argument counts and types).
 */
parser grammar ConprofQueryParser;

options { tokenVocab = ConprofQueryLexer; }

standaloneQuery
  : query EOF
  ;

query
  : expression
  ;

expression
  : primary modifier*
  ;

primary
  // Only merge takes "by" before its arguments; "foo by" fails here with "unexpected <by>", as in Prometheus.
  : functionName=IDENTIFIER ({$functionName.text.equals("merge")}? leading=grouping)? LEFT_PAREN
    (expression (COMMA expression)*)? RIGHT_PAREN trailing=grouping?           # functionCall
  | LEFT_PAREN expression RIGHT_PAREN                                          # parenthesized
  | metricName labelMatchers?                                                  # namedSelector
  | labelMatchers                                                              # unnamedSelector
  ;

modifier
  : LEFT_BRACKET DURATION RIGHT_BRACKET                                        # rangeModifier
  | OFFSET SUB? DURATION                                                       # offsetModifier
  | AT atTime                                                                  # atModifier
  ;

atTime
  : (SUB | ADD)? NUMBER                                                        # atTimestamp
  | START LEFT_PAREN RIGHT_PAREN                                               # atStart
  | END LEFT_PAREN RIGHT_PAREN                                                 # atEnd
  ;

labelMatchers
  : LEFT_BRACE (labelMatcher (COMMA labelMatcher)* COMMA?)? RIGHT_BRACE
  ;

labelMatcher
  : IDENTIFIER matchOp STRING                                                  # namedMatcher
  | STRING matchOp STRING                                                      # quotedNameMatcher
  | STRING                                                                     # metricNameMatcher
  ;

matchOp
  : EQL | NEQ | EQL_REGEX | NEQ_REGEX
  ;

grouping
  : BY LEFT_PAREN (groupingLabel (COMMA groupingLabel)* COMMA?)? RIGHT_PAREN
  ;

groupingLabel
  : IDENTIFIER | OFFSET | BY | START | END | KEYWORD_NAME | RESERVED_KEYWORD | STRING
  ;

metricName
  : IDENTIFIER | METRIC_IDENTIFIER | OFFSET | BY | START | END | KEYWORD_NAME
  ;
