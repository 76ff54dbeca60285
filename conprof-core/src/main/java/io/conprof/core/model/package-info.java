/**
 * conprof's data model: {@link io.conprof.core.model.Labels} (a series' identity, sorted and
 * immutable, with Prometheus' text form and a persisted {@link
 * io.conprof.core.model.Labels#stableHash() stable hash}), {@link io.conprof.core.model.Matcher}
 * (Prometheus' four operators, RE2 regexes anchored as Prometheus anchors them), {@link
 * io.conprof.core.model.Sample} and {@link io.conprof.core.model.TimeRange}, plus the shared
 * syntax helpers {@link io.conprof.core.model.Durations} (Prometheus durations), {@link
 * io.conprof.core.model.GoStrings} (Go's quoted strings) and {@link
 * io.conprof.core.model.RegexLimits}.
 *
 * <p>Where conprof and Prometheus/Go must agree byte for byte (quoting, string order, the stable
 * hash), the tests run Go itself as the judge.
 */
package io.conprof.core.model;
