package io.conprof.tsdb.head;

class InMemorySeriesRegistryTest extends SeriesRegistryContract {
  @Override
  SeriesRegistry open() {
    return new InMemorySeriesRegistry();
  }
}
