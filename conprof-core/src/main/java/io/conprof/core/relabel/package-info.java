/**
 * Prometheus relabelling: {@link io.conprof.core.relabel.RelabelConfig} (one
 * {@code relabel_config}, validated with Prometheus' rules) and {@link
 * io.conprof.core.relabel.Relabeler} (applies a list of them to a label set, every Prometheus
 * action, Prometheus' hashmod shards).
 */
package io.conprof.core.relabel;
