/**
 * The scrape configuration file (conprof/Parca dialect of Prometheus' {@code scrape_configs}):
 * {@link io.conprof.core.scrape.config.ScrapeConfigFile#load} reads it strictly into immutable
 * records with every default applied, or throws a {@link
 * io.conprof.core.scrape.config.ConfigException} naming the file, line and YAML path. The
 * reference for users is {@code docs/configuration.md}.
 */
package io.conprof.core.scrape.config;
