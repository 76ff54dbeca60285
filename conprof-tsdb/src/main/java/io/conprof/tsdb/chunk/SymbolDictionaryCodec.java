package io.conprof.tsdb.chunk;

import io.conprof.tsdb.block.CorruptBlockException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Payload codec 3: the profiles of a chunk re-encoded against chunk-level symbol dictionaries, byte-exact.
 *
 * <p>Why. A pprof profile is mostly symbols (strings, mappings, functions, locations), and every profile
 * numbers them afresh, so even consecutive profiles of one process share only about half of their symbol
 * bytes. Keyed by content, with ids abstracted, the symbols of a chunk collapse to their union: each distinct
 * string, mapping, function, location and stack (a sample without its values) is stored once, and a profile
 * becomes the list of dictionary entries it uses, its own id for each, and its sample values. Values are
 * written column by column as zigzag deltas against the same stack's values in an earlier profile of the
 * chunk, so cumulative profiles (heap, allocs, mutex, block), which change little between scrapes, cost a few
 * bits per sample. The result is compressed with zstd like the other codecs.
 *
 * <p>Exactness. Samples are raw protobuf and must come back byte for byte, whatever program wrote them. The
 * model keeps the wire layout: top-level fields in their order (as runs), every field of a symbol message in
 * its order with its tag bytes, fields it does not know copied verbatim, packed or unpacked values as
 * found. Only varint values are re-encoded (ids, references, sample values, lengths), in the shortest form;
 * a producer that writes anything else differently is caught by the check that closes encoding: the
 * section is decoded and every profile compared with its input. A profile that does not parse as the
 * model expects or does not round-trip is stored verbatim in the section, and encoding runs again without
 * it, so correctness never depends on the producer.
 *
 * <p>Cost. Encoding models every profile, decodes the whole section again to check it, and is compressed
 * next to codec 2 to keep the smaller: on 2 shared cores it runs at about 15-55 MB of raw profile per second,
 * against 70-340 for codec 2, which is why it is meant for block writing, not ingest. Decoding rebuilds
 * every profile of the chunk at about 40-160 MB/s (codec 2: 300-700). In exchange a chunk of Go heap
 * profiles is 3.5 times smaller than with codec 2, one of CPU profiles about 2 times
 * ({@code docs/benchmarks.md}).
 *
 * <p>Decoding is bounded: every count and length is checked against the bytes that remain, dictionaries
 * are offsets into the section (no copies), each profile's length is declared up front and enforced while
 * writing it, and the declared lengths together may not exceed {@link ChunkCodec#MAX_RAW_BYTES}. Damage is
 * a {@link CorruptBlockException} naming the offset in the inflated section.
 *
 * <pre>
 * section      := version:u8 (= 1) { stream_len:uvarint }[14] { stream }[14]
 * stream 0  profiles    := { kind:u8 (0 verbatim, 1 modelled) len:uvarint }   (one per sample; len = output bytes)
 * stream 1  verbatim    := { bytes[len] }                                      (verbatim profiles, in order)
 * stream 2  layout      := { counts:uvarint[6] mode:uvarint { run:uvarint }[mode - 1] }   (one per modelled profile)
 *           counts      := fields of kind 0, 2, 3, 4, 5, 6 (what, below)
 *           mode        := 0 (Go's order, predicted: see below) | run_count + 1
 *           run         := count &lt;&lt; 3 | what    (what: 0 misc, 2 sample, 3 mapping, 4 location, 5 function, 6 string)
 * stream 3  misc        := { len:uvarint bytes[len] }   (whole top-level fields other than 2-6, tag included)
 * stream 4  strings     := count:uvarint { len:uvarint bytes[len] }
 * stream 5  mappings    := count:uvarint { len:uvarint abstract_message }
 * stream 6  functions   := count:uvarint { len:uvarint abstract_message }
 * stream 7  locations   := count:uvarint { len:uvarint abstract_message }
 * stream 8  stacks      := count:uvarint { len:uvarint value_pos:uvarint form:u8 value_count:uvarint abstract_message }
 * stream 9  string_refs := { ref:uvarint }                   (per profile: its string table, predicted)
 * stream 10 symbol_refs := { ref:uvarint }* { ref:uvarint }* { dict_delta:varint }*
 *                                                    (per profile: its locations, functions (predicted), mappings)
 * stream 11 ids         := { id_delta:varint }           (per profile: the ids of its locations, functions, mappings)
 * stream 12 stack_refs  := { stack_ref:uvarint }         (one per sample of a profile)
 * stream 13 values      := { value_delta:varint }        (per profile, column-major: value j of every sample
 *                                                          that has more than j values, j = 0, 1, ...)
 * ref          := 0 (the next predicted entry not yet in this list) | entry + 1
 * stack_ref    := 0 (the first stack entry no earlier sample of the chunk used: entries are numbered in the
 *                 order samples first use them) | zigzag(entry - (previous stack of this profile + 1)) + 1
 * dict_delta   := entry - (previous entry of the same list in this profile + 1)            (first: previous = -1)
 * id_delta     := id - (previous id of the same list in this profile + 1)                  (first: previous = 0)
 * value_delta  := value - (same stack's value j at its last occurrence in an earlier profile of the chunk, else 0)
 * </pre>
 *
 * Predictions (Go emits each symbol when it is first used, so they are nearly always right): a profile's
 * locations are predicted by the location references of its stacks (samples in order, frames in order), its
 * functions by the function references of its locations (in list order), its strings by the string references of
 * its samples, mappings, functions and locations in layout order (misc fields are not looked into). Go's
 * layout: the misc fields, then for each sample its locations not yet written, each followed by its functions
 * not yet written, then the sample; then the mappings, then the strings.
 *
 * An abstract message is the message's bytes with its {@code id} set to 0 and every reference replaced: a
 * string index by the string's dictionary entry, a mapping, function or location id by its entry + 1 (0 stays
 * 0). References are rewritten in {@code Mapping} (filename, build_id), {@code Function} (name, system_name,
 * filename), {@code Location} (mapping_id, {@code Line.function_id}) and {@code Sample} (location_id, packed or
 * not, {@code Label} key, str, num_unit). A stack's sample values sit before its {@code value_pos}-th field:
 * {@code value_count} unpacked fields (form 0) or one packed field (form 1).
 */
final class SymbolDictionaryCodec {
  static final int VERSION = 1;
  static final int STREAMS = 14;
  private static final int PROFILES = 0;
  private static final int VERBATIM = 1;
  private static final int LAYOUT = 2;
  private static final int MISC = 3;
  private static final int DICT_STRINGS = 4;
  private static final int DICT_MAPPINGS = 5;
  private static final int DICT_FUNCTIONS = 6;
  private static final int DICT_LOCATIONS = 7;
  private static final int DICT_STACKS = 8;
  private static final int STRING_REFS = 9;
  private static final int SYMBOL_REFS = 10;
  private static final int IDS = 11;
  private static final int STACK_REFS = 12;
  private static final int VALUES = 13;

  // what a field of a message is, by field number
  private static final byte COPY = 0;
  private static final byte ID = 1;
  private static final byte STR = 2;
  private static final byte MAP = 3;
  private static final byte FUNC = 4;
  private static final byte LOC = 5;
  private static final byte LINE = 6;
  private static final byte LABEL = 7;

  private static final byte[] MAPPING_SCHEMA = {COPY, ID, COPY, COPY, COPY, STR, STR};
  private static final byte[] FUNCTION_SCHEMA = {COPY, ID, STR, STR, STR};
  private static final byte[] LOCATION_SCHEMA = {COPY, ID, MAP, COPY, LINE};
  private static final byte[] LINE_SCHEMA = {COPY, FUNC};
  private static final byte[] SAMPLE_SCHEMA = {COPY, LOC, COPY, LABEL};
  private static final byte[] LABEL_SCHEMA = {COPY, STR, STR, COPY, STR};

  private static final int F_SAMPLE = 2;
  private static final int F_MAPPING = 3;
  private static final int F_LOCATION = 4;
  private static final int F_FUNCTION = 5;
  private static final int F_STRING = 6;
  /** Order of the per-kind field counts at the start of a layout. */
  private static final int[] LAYOUT_KINDS = {0, F_SAMPLE, F_MAPPING, F_LOCATION, F_FUNCTION, F_STRING};

  private SymbolDictionaryCodec() {}

  /** Input that does not fit the model (encoding) or a damaged section (decoding). Cheap: no stack trace. */
  static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int position;

    Malformed(String reason, int position) {
      super(reason, null, false, false);
      this.position = position;
    }
  }

  /** A bounds-checked protobuf wire reader over a byte array window. */
  static final class Cursor {
    final byte[] b;
    int pos;
    int limit;

    Cursor(byte[] b, int pos, int limit) {
      this.b = b;
      this.pos = pos;
      this.limit = limit;
    }

    long varint() {
      long v = 0;
      int at = pos;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= limit) {
          throw new Malformed("truncated varint", at);
        }
        int x = b[pos++] & 0xff;
        v |= (long) (x & 0x7f) << shift;
        if ((x & 0x80) == 0) {
          return v;
        }
      }
      throw new Malformed("varint longer than 10 bytes", at);
    }

    void skip(long n) {
      if (n < 0 || n > limit - pos) {
        throw new Malformed("field of " + n + " bytes overruns its message (" + (limit - pos) + " left)", pos);
      }
      pos += (int) n;
    }

    int u8() {
      if (pos >= limit) {
        throw new Malformed("truncated byte", pos);
      }
      return b[pos++] & 0xff;
    }

    boolean more() {
      return pos < limit;
    }
  }

  /** Maps a reference value of a kind (STR, MAP, FUNC, LOC) one way; throws {@link Malformed} if unknown. */
  interface Refs {
    long map(byte kind, long value, int at);
  }

  /** Content key for the dictionaries. */
  private record Key(byte[] bytes, int hash) {
    static Key of(ByteEncoder e) {
      byte[] b = e.toByteArray();
      return new Key(b, Arrays.hashCode(b));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private static final class Dictionary {
    final Map<Key, Integer> index = new HashMap<>();
    final ByteEncoder entries = new ByteEncoder(4096);
    final java.util.List<byte[]> list = new java.util.ArrayList<>();

    int intern(ByteEncoder content) {
      Key k = Key.of(content);
      Integer g = index.get(k);
      if (g != null) {
        return g;
      }
      int id = index.size();
      index.put(k, id);
      list.add(k.bytes);
      entries.uvarint(k.bytes.length).bytes(k.bytes);
      return id;
    }
  }

  /**
   * Rewrites the field at {@code c.pos} into {@code out}, mapping references through {@code refs}. The id field
   * (schema ID) is written as {@code idIn[0]} when {@code idIn} is given (decoding), else as 0 with the value
   * kept in {@code idOut[0]} and counted in {@code idOut[1]} (encoding).
   */
  static void rewriteField(Cursor c, byte[] schema, Refs refs, ByteEncoder out, ByteEncoder[] scratch, int depth,
      long[] idOut, long[] idIn) {
    int tagStart = c.pos;
    long tag = c.varint();
    long field = tag >>> 3;
    if (field == 0 || field > FieldSplit.MAX_FIELD) {
      throw new Malformed("field number " + field + " out of range", tagStart);
    }
    int tagEnd = c.pos;
    byte kind = field < schema.length ? schema[(int) field] : COPY;
    switch ((int) (tag & 7)) {
      case 0 -> {
        long v = c.varint();
        if (kind == ID) {
          out.bytes(c.b, tagStart, tagEnd - tagStart);
          if (idIn != null) {
            out.uvarint(idIn[0]);
          } else if (idOut != null) {
            idOut[0] = v;
            idOut[1]++;
            out.uvarint(0);
          } else {
            throw new Malformed("id field in a message without an id", tagStart);
          }
        } else if (kind == STR || kind == MAP || kind == FUNC || kind == LOC) {
          out.bytes(c.b, tagStart, tagEnd - tagStart).uvarint(refs.map(kind, v, tagStart));
        } else {
          out.bytes(c.b, tagStart, c.pos - tagStart);
        }
      }
      case 1 -> {
        c.skip(8);
        out.bytes(c.b, tagStart, c.pos - tagStart);
      }
      case 5 -> {
        c.skip(4);
        out.bytes(c.b, tagStart, c.pos - tagStart);
      }
      case 2 -> {
        long len = c.varint();
        int bodyStart = c.pos;
        c.skip(len);
        int bodyEnd = c.pos;
        if (kind == LINE || kind == LABEL) {
          ByteEncoder tmp = scratch[depth];
          tmp.reset();
          Cursor sub = new Cursor(c.b, bodyStart, bodyEnd);
          byte[] nested = kind == LINE ? LINE_SCHEMA : LABEL_SCHEMA;
          while (sub.more()) {
            rewriteField(sub, nested, refs, tmp, scratch, depth + 1, null, null);
          }
          out.bytes(c.b, tagStart, tagEnd - tagStart).uvarint(tmp.length()).bytes(tmp.array(), 0, tmp.length());
        } else if (kind == STR || kind == MAP || kind == FUNC || kind == LOC) {
          ByteEncoder tmp = scratch[depth];
          tmp.reset();
          Cursor sub = new Cursor(c.b, bodyStart, bodyEnd);
          while (sub.more()) {
            int at = sub.pos;
            tmp.uvarint(refs.map(kind, sub.varint(), at));
          }
          out.bytes(c.b, tagStart, tagEnd - tagStart).uvarint(tmp.length()).bytes(tmp.array(), 0, tmp.length());
        } else if (kind == ID) {
          throw new Malformed("id field is length-delimited", tagStart);
        } else {
          out.bytes(c.b, tagStart, c.pos - tagStart);
        }
      }
      default -> throw new Malformed("wire type " + (tag & 7) + " not supported", tagStart);
    }
  }

  private static ByteEncoder[] scratch() {
    return new ByteEncoder[] {new ByteEncoder(256), new ByteEncoder(256), new ByteEncoder(256)};
  }

  // ---------------------------------------------------------------------------------------------- encoding

  /** Growable list of longs. */
  private static final class Longs {
    long[] a = new long[64];
    int n;

    void add(long v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }
  }

  /** Growable list of ints. */
  static final class Ints {
    int[] a = new int[64];
    int n;

    void add(int v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, n * 2);
      }
      a[n++] = v;
    }
  }

  /**
   * Codes a list of dictionary entries against a prediction: 0 = the next predicted entry not yet listed,
   * otherwise entry + 1. Encoder and decoder run the same steps.
   */
  static final class Predictor {
    private final Ints p;
    private final java.util.BitSet listed = new java.util.BitSet();
    private int j;

    Predictor(Ints p) {
      this.p = p;
    }

    private void skipListed() {
      while (j < p.n && listed.get(p.a[j])) {
        j++;
      }
    }

    long code(int entry) {
      skipListed();
      long c;
      if (j < p.n && p.a[j] == entry) {
        c = 0;
        j++;
      } else {
        c = entry + 1L;
      }
      listed.set(entry);
      return c;
    }

    int global(long code, int size, int at) {
      skipListed();
      long g;
      if (code == 0) {
        if (j >= p.n) {
          throw new Malformed("predicted reference past the end of the prediction", at);
        }
        g = p.a[j++];
      } else {
        g = code - 1;
      }
      if (g < 0 || g >= size) {
        throw new Malformed("reference to entry " + g + " of a dictionary of " + size, at);
      }
      listed.set((int) g);
      return (int) g;
    }
  }

  /**
   * The references of {@code kind} in the abstract message [start, end) (a stack key if {@code stackKey}), as
   * dictionary entries, in field order: the fields {@link #rewriteField} maps, found without rewriting.
   */
  static int[] refsOf(byte[] b, int start, int end, boolean stackKey, byte[] schema, byte kind, Ints tmp) {
    Cursor c = new Cursor(b, start, end);
    if (stackKey) {
      c.varint();
      c.u8();
      c.varint();
    }
    tmp.n = 0;
    collect(c, schema, kind, tmp);
    return Arrays.copyOf(tmp.a, tmp.n);
  }

  private static void collect(Cursor c, byte[] schema, byte kind, Ints out) {
    while (c.more()) {
      int at = c.pos;
      long tag = c.varint();
      long field = tag >>> 3;
      byte k = field < schema.length ? schema[(int) field] : COPY;
      switch ((int) (tag & 7)) {
        case 0 -> {
          long v = c.varint();
          if (k == kind) {
            addRef(kind, v, out);
          }
        }
        case 1 -> c.skip(8);
        case 5 -> c.skip(4);
        case 2 -> {
          long len = c.varint();
          int bodyStart = c.pos;
          c.skip(len);
          if (k == LINE || k == LABEL) {
            collect(new Cursor(c.b, bodyStart, c.pos), k == LINE ? LINE_SCHEMA : LABEL_SCHEMA, kind, out);
          } else if (k == kind) {
            Cursor packed = new Cursor(c.b, bodyStart, c.pos);
            while (packed.more()) {
              addRef(kind, packed.varint(), out);
            }
          }
        }
        default -> throw new Malformed("wire type " + (tag & 7) + " not supported", at);
      }
    }
  }

  private static void addRef(byte kind, long v, Ints out) {
    if (kind == STR || v != 0) {
      long g = kind == STR ? v : v - 1;
      out.add(g < 0 || g > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) g);
    }
  }

  /**
   * The top-level field order Go's encoder writes ({@code runtime/pprof}): the other fields first, then for each
   * sample its locations not yet written, each followed by its functions not yet written, then the sample;
   * then the mappings, then the strings. Null when the counts do not add up.
   *
   * @param counts fields per kind (index 0 other, 2 sample, ... 6 string)
   * @param stackLocs location entries of the stack of sample j
   * @param locFuncs function entries of location entry g; locations must be below {@code locationEntries}
   * @param maxRefs most location references the samples may hold (the profile's length)
   */
  static byte[] predictLayout(long[] counts, java.util.function.IntFunction<int[]> stackLocs,
      java.util.function.IntFunction<int[]> locFuncs, int locationEntries, long maxRefs) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total > Integer.MAX_VALUE - 16) {
      return null;
    }
    byte[] w = new byte[(int) total];
    int k = 0;
    for (long i = 0; i < counts[0]; i++) {
      w[k++] = 0;
    }
    java.util.BitSet locs = new java.util.BitSet();
    java.util.BitSet funcs = new java.util.BitSet();
    long[] seen = new long[7];
    long refs = 0;
    for (int j = 0; j < counts[F_SAMPLE]; j++) {
      int[] stack = stackLocs.apply(j);
      refs += stack.length;
      if (refs > maxRefs) {
        return null;
      }
      for (int g : stack) {
        if (g >= locationEntries) {
          return null;
        }
        if (locs.get(g)) {
          continue;
        }
        locs.set(g);
        if (k >= w.length) {
          return null;
        }
        w[k++] = F_LOCATION;
        for (int f : locFuncs.apply(g)) {
          if (f < Integer.MAX_VALUE && !funcs.get(f)) {
            funcs.set(f);
            if (k >= w.length) {
              return null;
            }
            w[k++] = F_FUNCTION;
          }
        }
      }
      if (k >= w.length) {
        return null;
      }
      w[k++] = F_SAMPLE;
    }
    for (long i = 0; i < counts[F_MAPPING] && k < w.length; i++) {
      w[k++] = F_MAPPING;
    }
    for (long i = 0; i < counts[F_STRING] && k < w.length; i++) {
      w[k++] = F_STRING;
    }
    for (byte b : w) {
      seen[b]++;
    }
    return k == w.length && Arrays.equals(seen, counts) ? w : null;
  }

  /** Reference lists of dictionary entries, computed once per entry. */
  static final class Memo {
    private int[][] lists = new int[64][];

    int[] get(int entry) {
      return entry < lists.length ? lists[entry] : null;
    }

    int[] put(int entry, int[] list) {
      if (entry >= lists.length) {
        lists = Arrays.copyOf(lists, Math.max(entry + 1, lists.length * 2));
      }
      lists[entry] = list;
      return list;
    }
  }

  /**
   * Appends a memoised list to {@code out}, which may not grow past {@code maxRefs}: every reference costs at
   * least one byte of the profile, so more than its length means damage.
   */
  private static void addAll(Ints out, int[] list, long maxRefs) {
    if (out.n + (long) list.length > maxRefs) {
      throw new Malformed("references to predict from exceed the profile's " + maxRefs + " bytes", 0);
    }
    for (int v : list) {
      out.add(v);
    }
  }

  /** A profile's own ids to dictionary entries: an array for small ids (Go numbers from 1), a map beyond. */
  static final class IdMap {
    private final int[] dense;
    private final Map<Long, Integer> sparse = new HashMap<>();

    /** @param fields top-level fields of the profile, a bound on how many ids it can define */
    IdMap(int fields) {
      dense = new int[fields + 1];
      Arrays.fill(dense, -1);
    }

    /** The entry of {@code id}, or -1. */
    int get(long id) {
      if (id > 0 && id < dense.length) {
        return dense[(int) id];
      }
      Integer g = sparse.get(id);
      return g == null ? -1 : g;
    }

    /** Records {@code id}; false if it was already defined. */
    boolean put(long id, int g) {
      if (id > 0 && id < dense.length) {
        if (dense[(int) id] >= 0) {
          return false;
        }
        dense[(int) id] = g;
        return true;
      }
      return sparse.putIfAbsent(id, g) == null;
    }
  }

  /** All state of one encoding pass over a chunk. */
  private static final class Encoder {
    final ByteEncoder[] streams = new ByteEncoder[STREAMS];
    final Dictionary strings = new Dictionary();
    final Dictionary mappings = new Dictionary();
    final Dictionary functions = new Dictionary();
    final Dictionary locations = new Dictionary();
    final Dictionary stacks = new Dictionary();
    final Map<Integer, long[]> lastValues = new HashMap<>();
    /** Stack entries are created in the order samples first use them: the next one a sample can be new to. */
    int nextNewStack;
    final ByteEncoder[] scratch = scratch();
    final ByteEncoder message = new ByteEncoder(1024);

    Encoder() {
      for (int i = 0; i < STREAMS; i++) {
        streams[i] = new ByteEncoder(i == DICT_STRINGS || i == DICT_LOCATIONS || i == VALUES ? 8192 : 256);
      }
    }

    void verbatim(byte[] p) {
      streams[PROFILES].u8(0).uvarint(p.length);
      streams[VERBATIM].bytes(p);
    }

    /** Models one profile; throws {@link Malformed} (leaving this encoder unusable) when it does not fit. */
    void modelled(byte[] p) {
      // 1. top-level fields
      int n = 0;
      int[] starts = new int[64];
      int[] whats = new int[64];
      Cursor c = new Cursor(p, 0, p.length);
      int strings0 = 0;
      while (c.more()) {
        int start = c.pos;
        long tag = c.varint();
        long field = tag >>> 3;
        int wire = (int) (tag & 7);
        int what = field >= F_SAMPLE && field <= F_STRING ? (int) field : 0;
        if (what != 0 && (wire != 2 || c.pos - start != 1)) {
          throw new Malformed("profile field " + field + " with wire type " + wire, start);
        }
        switch (wire) {
          case 0 -> c.varint();
          case 1 -> c.skip(8);
          case 5 -> c.skip(4);
          case 2 -> c.skip(c.varint());
          default -> throw new Malformed("wire type " + wire, start);
        }
        if (n == starts.length) {
          starts = Arrays.copyOf(starts, n * 2);
          whats = Arrays.copyOf(whats, n * 2);
        }
        starts[n] = start;
        whats[n++] = what;
        if (what == F_STRING) {
          strings0++;
        }
      }
      int[] ends = new int[n];
      for (int i = 0; i < n; i++) {
        ends[i] = i + 1 < n ? starts[i + 1] : p.length;
      }
      // 2. strings
      int[] stringGlobal = new int[strings0];
      int s = 0;
      ByteEncoder tmp = message;
      for (int i = 0; i < n; i++) {
        if (whats[i] == F_STRING) {
          Cursor f = body(p, starts[i], ends[i]);
          tmp.reset();
          tmp.bytes(p, f.pos, f.limit - f.pos);
          stringGlobal[s++] = strings.intern(tmp);
        }
      }
      IdMap mapG = new IdMap(n);
      IdMap funcG = new IdMap(n);
      IdMap locG = new IdMap(n);
      Refs refs = (kind, v, at) -> {
        if (kind == STR) {
          if (v < 0 || v >= stringGlobal.length) {
            throw new Malformed("string index " + v + " outside a table of " + stringGlobal.length, at);
          }
          return stringGlobal[(int) v];
        }
        if (v == 0) {
          return 0;
        }
        int g = (kind == MAP ? mapG : kind == FUNC ? funcG : locG).get(v);
        if (g < 0) {
          throw new Malformed("reference to missing id " + v, at);
        }
        return g + 1L;
      };
      // 3. mappings, functions, then locations (which refer to both); each with its own id
      long[] id = new long[2];
      int[][] globals = new int[7][];
      long[][] localIds = new long[7][];
      int[] order = {F_MAPPING, F_FUNCTION, F_LOCATION};
      for (int what : order) {
        int count = 0;
        for (int i = 0; i < n; i++) {
          count += whats[i] == what ? 1 : 0;
        }
        globals[what] = new int[count];
        localIds[what] = new long[count];
        int e = 0;
        byte[] schema = what == F_MAPPING ? MAPPING_SCHEMA : what == F_FUNCTION ? FUNCTION_SCHEMA : LOCATION_SCHEMA;
        Dictionary dict = what == F_MAPPING ? mappings : what == F_FUNCTION ? functions : locations;
        IdMap local = what == F_MAPPING ? mapG : what == F_FUNCTION ? funcG : locG;
        for (int i = 0; i < n; i++) {
          if (whats[i] != what) {
            continue;
          }
          Cursor f = body(p, starts[i], ends[i]);
          tmp.reset();
          id[0] = 0;
          id[1] = 0;
          while (f.more()) {
            rewriteField(f, schema, refs, tmp, scratch, 0, id, null);
          }
          if (id[1] != 1) {
            throw new Malformed("symbol message with " + id[1] + " id fields", starts[i]);
          }
          int g = dict.intern(tmp);
          if (!local.put(id[0], g)) {
            throw new Malformed("duplicate id " + id[0], starts[i]);
          }
          globals[what][e] = g;
          localIds[what][e++] = id[0];
        }
      }
      // 4. samples: stack key + values
      int samples = 0;
      for (int i = 0; i < n; i++) {
        if (whats[i] == F_SAMPLE) {
          samples++;
        }
      }
      int[] keys = new int[samples];
      long[][] values = new long[samples][];
      int k = 0;
      Longs vals = new Longs();
      ByteEncoder key = scratch[2];
      for (int i = 0; i < n; i++) {
        if (whats[i] != F_SAMPLE) {
          continue;
        }
        Cursor f = body(p, starts[i], ends[i]);
        tmp.reset();
        vals.n = 0;
        int fieldIndex = 0;
        int valuePos = -1;
        int form = 0;
        boolean valuesClosed = false;
        while (f.more()) {
          int at = f.pos;
          long tag = f.varint();
          if ((tag >>> 3) == 2 && ((tag & 7) == 0 || (tag & 7) == 2) && f.pos - at == 1) {
            boolean packed = (tag & 7) == 2;
            if (valuesClosed || (valuePos >= 0 && (packed || form == 1))) {
              throw new Malformed("sample values split or mixed", at);
            }
            if (valuePos < 0) {
              valuePos = fieldIndex;
              form = packed ? 1 : 0;
            }
            if (packed) {
              long len = f.varint();
              int bodyStart = f.pos;
              f.skip(len);
              Cursor pv = new Cursor(p, bodyStart, f.pos);
              while (pv.more()) {
                vals.add(pv.varint());
              }
            } else {
              vals.add(f.varint());
            }
          } else {
            f.pos = at;
            if (valuePos >= 0) {
              valuesClosed = true;
            }
            rewriteField(f, SAMPLE_SCHEMA, refs, tmp, scratch, 0, null, null);
            fieldIndex++;
          }
        }
        if (valuePos < 0) {
          valuePos = fieldIndex;
        }
        key.reset();
        key.uvarint(valuePos).u8(form).uvarint(vals.n).bytes(tmp.array(), 0, tmp.length());
        keys[k] = stacks.intern(key);
        values[k++] = Arrays.copyOf(vals.a, vals.n);
      }
      ByteEncoder stackRefs = streams[STACK_REFS];
      int prevKey = -1;
      int maxValues = 0;
      for (int j = 0; j < samples; j++) {
        if (keys[j] == nextNewStack) {
          stackRefs.uvarint(0);
          nextNewStack++;
        } else {
          long delta = keys[j] - (prevKey + 1L);
          stackRefs.uvarint(((delta << 1) ^ (delta >> 63)) + 1);
        }
        prevKey = keys[j];
        maxValues = Math.max(maxValues, values[j].length);
      }
      ByteEncoder valueStream = streams[VALUES];
      long[][] base = new long[samples][];
      for (int j = 0; j < samples; j++) {
        base[j] = lastValues.get(keys[j]);
      }
      for (int col = 0; col < maxValues; col++) {
        for (int j = 0; j < samples; j++) {
          if (values[j].length > col) {
            valueStream.varint(values[j][col] - (base[j] == null ? 0 : base[j][col]));
          }
        }
      }
      for (int j = 0; j < samples; j++) {
        lastValues.put(keys[j], values[j]);
      }
      // 5. symbol references, each list predicted from what refers to it (Go emits symbols in order of first use)
      Ints predicted = new Ints();
      for (int j = 0; j < samples; j++) {
        collectEntry(0, stacks, keys[j], true, SAMPLE_SCHEMA, LOC, predicted);
      }
      writePredicted(globals[F_LOCATION], predicted, streams[SYMBOL_REFS]);
      predicted.n = 0;
      for (int g : globals[F_LOCATION]) {
        collectEntry(1, locations, g, false, LOCATION_SCHEMA, FUNC, predicted);
      }
      writePredicted(globals[F_FUNCTION], predicted, streams[SYMBOL_REFS]);
      int prevGlobal = -1;
      for (int g : globals[F_MAPPING]) {
        streams[SYMBOL_REFS].varint(g - (prevGlobal + 1L));
        prevGlobal = g;
      }
      for (int what : new int[] {F_LOCATION, F_FUNCTION, F_MAPPING}) {
        long prevId = 0;
        for (long v : localIds[what]) {
          streams[IDS].varint(v - (prevId + 1));
          prevId = v;
        }
      }
      predicted.n = 0;
      int[] next = new int[7];
      for (int i = 0; i < n; i++) {
        int what = whats[i];
        if (what == F_SAMPLE) {
          collectEntry(2, stacks, keys[next[what]++], true, SAMPLE_SCHEMA, STR, predicted);
        } else if (what == F_MAPPING || what == F_FUNCTION || what == F_LOCATION) {
          Dictionary dict = what == F_MAPPING ? mappings : what == F_FUNCTION ? functions : locations;
          byte[] schema = what == F_MAPPING ? MAPPING_SCHEMA : what == F_FUNCTION ? FUNCTION_SCHEMA : LOCATION_SCHEMA;
          collectEntry(what, dict, globals[what][next[what]++], false, schema, STR, predicted);
        }
      }
      writePredicted(stringGlobal, predicted, streams[STRING_REFS]);
      // 6. layout (predicted or as runs), misc
      ByteEncoder layout = streams[LAYOUT];
      long[] kindCounts = new long[7];
      for (int i = 0; i < n; i++) {
        kindCounts[whats[i]]++;
      }
      for (int what : LAYOUT_KINDS) {
        layout.uvarint(kindCounts[what]);
      }
      byte[] guess = predictLayout(kindCounts, j -> memoList(0, stacks, keys[j], true, SAMPLE_SCHEMA, LOC),
          g -> memoList(1, locations, g, false, LOCATION_SCHEMA, FUNC), locations.index.size(), p.length);
      boolean predictedRight = guess != null;
      for (int i = 0; i < n && predictedRight; i++) {
        predictedRight = guess[i] == whats[i];
      }
      int runs = 0;
      for (int i = 0; i < n; i++) {
        if (i == 0 || whats[i] != whats[i - 1]) {
          runs++;
        }
      }
      layout.uvarint(predictedRight ? 0 : runs + 1L);
      for (int i = 0; i < n && !predictedRight; ) {
        int j = i;
        while (j < n && whats[j] == whats[i]) {
          j++;
        }
        layout.uvarint((long) (j - i) << 3 | whats[i]);
        i = j;
      }
      for (int i = 0; i < n; i++) {
        if (whats[i] == 0) {
          streams[MISC].uvarint(ends[i] - starts[i]).bytes(p, starts[i], ends[i] - starts[i]);
        }
      }
      streams[PROFILES].u8(1).uvarint(p.length);
    }

    private final Ints refsTmp = new Ints();
    private final Memo[] memos = {new Memo(), new Memo(), new Memo(), new Memo(), new Memo(), new Memo()};

    /** Appends the {@code kind} references of entry {@code g} of {@code dict}; memo slot {@code slot}. */
    private void collectEntry(int slot, Dictionary dict, int g, boolean stackKey, byte[] schema, byte kind, Ints out) {
      addAll(out, memoList(slot, dict, g, stackKey, schema, kind), Integer.MAX_VALUE - 16);
    }

    private int[] memoList(int slot, Dictionary dict, int g, boolean stackKey, byte[] schema, byte kind) {
      int[] list = memos[slot].get(g);
      if (list == null) {
        byte[] entry = dict.list.get(g);
        list = memos[slot].put(g, refsOf(entry, 0, entry.length, stackKey, schema, kind, refsTmp));
      }
      return list;
    }

    private static void writePredicted(int[] entries, Ints predicted, ByteEncoder out) {
      Predictor pr = new Predictor(predicted);
      for (int g : entries) {
        out.uvarint(pr.code(g));
      }
    }

    ByteEncoder finish() {
      streams[DICT_STRINGS] = withCount(strings);
      streams[DICT_MAPPINGS] = withCount(mappings);
      streams[DICT_FUNCTIONS] = withCount(functions);
      streams[DICT_LOCATIONS] = withCount(locations);
      streams[DICT_STACKS] = withCount(stacks);
      long total = 1;
      for (ByteEncoder e : streams) {
        total += ByteEncoder.uvarintSize(e.length()) + e.length();
      }
      if (total > ChunkCodec.MAX_RAW_BYTES) {
        return null;
      }
      ByteEncoder out = new ByteEncoder((int) total);
      out.u8(VERSION);
      for (ByteEncoder e : streams) {
        out.uvarint(e.length());
      }
      for (ByteEncoder e : streams) {
        out.bytes(e.array(), 0, e.length());
      }
      return out;
    }

    private static ByteEncoder withCount(Dictionary d) {
      ByteEncoder e = new ByteEncoder(d.entries.length() + 8);
      e.uvarint(d.index.size()).bytes(d.entries.array(), 0, d.entries.length());
      return e;
    }
  }

  /** Cursor over the body of the length-delimited top-level field [start, end) (already validated). */
  private static Cursor body(byte[] p, int start, int end) {
    Cursor c = new Cursor(p, start, end);
    c.varint();
    long len = c.varint();
    return new Cursor(p, c.pos, (int) (c.pos + len));
  }

  /**
   * The codec-3 section of {@code n} payloads, verified to decode to exactly the input, or null when it would
   * exceed {@link ChunkCodec#MAX_RAW_BYTES}. Profiles that do not fit the model are stored verbatim.
   */
  static ByteEncoder encode(byte[][] payloads, int n) {
    boolean[] verbatim = new boolean[n];
    for (int i = 0; i < n; i++) {
      verbatim[i] = !FieldSplit.parses(payloads[i]);
    }
    while (true) {
      Encoder e = new Encoder();
      boolean restart = false;
      for (int i = 0; i < n && !restart; i++) {
        if (verbatim[i]) {
          e.verbatim(payloads[i]);
          continue;
        }
        try {
          e.modelled(payloads[i]);
        } catch (Malformed m) {
          // whether a profile fits the model does not depend on the others: find the rest now, restart once
          verbatim[i] = true;
          for (int k = i + 1; k < n; k++) {
            if (!verbatim[k]) {
              try {
                new Encoder().modelled(payloads[k]);
              } catch (Malformed other) {
                verbatim[k] = true;
              }
            }
          }
          restart = true;
        }
      }
      if (restart) {
        continue;
      }
      ByteEncoder section = e.finish();
      if (section == null) {
        return null;
      }
      byte[][] back;
      try {
        back = decode(section.toByteArray(), n, Path.of("codec-3 encoder check"), 0, false);
      } catch (CorruptBlockException ex) {
        // cannot happen for a section this class wrote; if it ever does, the chunk uses another codec
        return null;
      }
      boolean allSame = true;
      for (int i = 0; i < n; i++) {
        if (!Arrays.equals(back[i], payloads[i])) {
          if (verbatim[i]) {
            throw new IllegalStateException("codec 3 changed a verbatim profile");
          }
          verbatim[i] = true;
          allSame = false;
        }
      }
      if (allSame) {
        return section;
      }
    }
  }

  // ---------------------------------------------------------------------------------------------- decoding

  /** Entries of one dictionary stream: offsets into the section. */
  private static final class Entries {
    final int[] start;
    final int[] end;

    Entries(ByteDecoder d, String what) throws CorruptBlockException {
      int count = d.uvarintInt(what + " count", d.remaining());
      start = new int[count];
      end = new int[count];
      for (int i = 0; i < count; i++) {
        int len = d.uvarintInt(what + " entry length", d.remaining());
        start[i] = d.position();
        d.skip(len, what + " entry");
        end[i] = d.position();
      }
      if (d.remaining() != 0) {
        throw d.corrupt(d.remaining() + " bytes after the " + count + " " + what + " entries");
      }
    }

    int size() {
      return start.length;
    }
  }

  /** Per-profile map from dictionary entry to the profile's own id, valid where {@code stamp == profile}. */
  private static final class LocalIds {
    final long[] local;
    final int[] stamp;

    LocalIds(int size) {
      local = new long[size];
      stamp = new int[size];
      Arrays.fill(stamp, -1);
    }
  }

  /** Restores {@code n} payloads from a codec-3 section. */
  static byte[][] decode(byte[] section, int n, Path file, long fileOffset) throws CorruptBlockException {
    return decode(section, n, file, fileOffset, true);
  }

  /**
   * @param checkLengths false only for the encoder's check, where a profile whose length comes out differently
   *     (a non-shortest varint in the input) is caught by the comparison with the input instead
   */
  private static byte[][] decode(byte[] section, int n, Path file, long fileOffset, boolean checkLengths)
      throws CorruptBlockException {
    ByteBuffer buf = ByteBuffer.wrap(section);
    ByteDecoder head = new ByteDecoder(buf, 0, section.length, file, fileOffset);
    int version = head.u8("codec-3 section version");
    if (version != VERSION) {
      throw head.corruptAt(0, "codec-3 section version " + version + ", expected " + VERSION);
    }
    int[] lens = new int[STREAMS];
    long total = 0;
    for (int i = 0; i < STREAMS; i++) {
      lens[i] = head.uvarintInt("codec-3 stream " + i + " length", section.length);
      total += lens[i];
    }
    if (total != head.remaining()) {
      throw head.corrupt("codec-3 streams total " + total + " bytes but " + head.remaining() + " follow");
    }
    ByteDecoder[] st = new ByteDecoder[STREAMS];
    int at = head.position();
    for (int i = 0; i < STREAMS; i++) {
      st[i] = new ByteDecoder(buf, at, at + lens[i], file, fileOffset);
      at += lens[i];
    }
    Entries strings = new Entries(st[DICT_STRINGS], "string");
    Entries mappings = new Entries(st[DICT_MAPPINGS], "mapping");
    Entries functions = new Entries(st[DICT_FUNCTIONS], "function");
    Entries locations = new Entries(st[DICT_LOCATIONS], "location");
    Entries stacks = new Entries(st[DICT_STACKS], "stack");
    // per profile: kind and declared length, bounded in total
    int[] kinds = new int[n];
    int[] outLens = new int[n];
    long declared = 0;
    for (int i = 0; i < n; i++) {
      kinds[i] = st[PROFILES].u8("profile kind");
      if (kinds[i] > 1) {
        throw st[PROFILES].corrupt("profile kind " + kinds[i] + " (expected 0 or 1)");
      }
      outLens[i] = st[PROFILES].uvarintInt("profile length", ChunkCodec.MAX_RAW_BYTES);
      declared += outLens[i];
      if (declared > ChunkCodec.MAX_RAW_BYTES) {
        throw st[PROFILES].corrupt("profiles declare more than " + ChunkCodec.MAX_RAW_BYTES + " bytes");
      }
    }
    Decoder dec = new Decoder(section, st, strings, mappings, functions, locations, stacks, file, fileOffset);
    byte[][] out = new byte[n][];
    for (int i = 0; i < n; i++) {
      if (kinds[i] == 0) {
        out[i] = st[VERBATIM].bytes(outLens[i], "verbatim profile");
      } else {
        out[i] = dec.profile(i, outLens[i], checkLengths);
      }
    }
    for (int i = 0; i < STREAMS; i++) {
      if (st[i].remaining() != 0) {
        throw st[i].corrupt("codec-3 stream " + i + " has " + st[i].remaining() + " bytes left after all profiles");
      }
    }
    return out;
  }

  private static final class Decoder implements Refs {
    final byte[] section;
    final ByteDecoder[] st;
    final Entries strings;
    final Entries mappings;
    final Entries functions;
    final Entries locations;
    final Entries stacks;
    final Path file;
    final long fileOffset;
    final LocalIds stringLocal;
    final LocalIds mapLocal;
    final LocalIds funcLocal;
    final LocalIds locLocal;
    final long[][] lastValues;
    final ByteEncoder[] scratch = scratch();
    final ByteEncoder message = new ByteEncoder(1024);
    final Ints refsTmp = new Ints();
    final Memo[] memos = {new Memo(), new Memo(), new Memo(), new Memo(), new Memo(), new Memo()};
    int profile;
    /** The next stack entry a sample may use for the first time (code 0 in stack_refs). */
    int nextNewStack;
    /** Bound on a prediction list of the current profile: its declared length. */
    long maxRefs;

    Decoder(byte[] section, ByteDecoder[] st, Entries strings, Entries mappings, Entries functions,
        Entries locations, Entries stacks, Path file, long fileOffset) {
      this.section = section;
      this.st = st;
      this.strings = strings;
      this.mappings = mappings;
      this.functions = functions;
      this.locations = locations;
      this.stacks = stacks;
      this.file = file;
      this.fileOffset = fileOffset;
      stringLocal = new LocalIds(strings.size());
      mapLocal = new LocalIds(mappings.size());
      funcLocal = new LocalIds(functions.size());
      locLocal = new LocalIds(locations.size());
      lastValues = new long[stacks.size()][];
    }

    private CorruptBlockException corrupt(Malformed m, String what) {
      return new CorruptBlockException(file, fileOffset + m.position,
          what + " (profile " + profile + ", offset in the inflated codec-3 section): " + m.getMessage());
    }

    @Override
    public long map(byte kind, long v, int at) {
      if (kind == STR) {
        if (v < 0 || v >= stringLocal.local.length || stringLocal.stamp[(int) v] != profile) {
          throw new Malformed("string entry " + v + " is not in this profile's table", at);
        }
        return stringLocal.local[(int) v];
      }
      if (v == 0) {
        return 0;
      }
      LocalIds ids = kind == MAP ? mapLocal : kind == FUNC ? funcLocal : locLocal;
      long g = v - 1;
      if (g < 0 || g >= ids.local.length || ids.stamp[(int) g] != profile) {
        throw new Malformed("symbol entry " + g + " is not used by this profile", at);
      }
      return ids.local[(int) g];
    }

    byte[] profile(int index, int outLen, boolean checkLengths) throws CorruptBlockException {
      profile = index;
      maxRefs = outLen;
      ByteDecoder layout = st[LAYOUT];
      long[] counts = new long[7];
      for (int what : LAYOUT_KINDS) {
        counts[what] = layout.uvarintInt("layout field count", outLen);
      }
      // every listed field costs at least one byte of its stream: bound the counts before allocating
      bound(counts[F_STRING], st[STRING_REFS], "strings");
      bound(counts[F_MAPPING] + counts[F_FUNCTION] + counts[F_LOCATION], st[SYMBOL_REFS], "symbols");
      bound(counts[F_SAMPLE], st[STACK_REFS], "samples");
      bound(counts[0], st[MISC], "other fields");

      // samples: stacks, then values column by column
      int samples = (int) counts[F_SAMPLE];
      int[] keys = new int[samples];
      int[] keyBody = new int[samples];
      long[][] values = new long[samples][];
      int prevKey = -1;
      int maxValues = 0;
      long totalValues = 0;
      ByteDecoder valueStream = st[VALUES];
      for (int j = 0; j < samples; j++) {
        int g = stackEntry(st[STACK_REFS], prevKey);
        keys[j] = g;
        prevKey = g;
        Cursor kc = new Cursor(section, stacks.start[g], stacks.end[g]);
        try {
          kc.varint();
          int form = kc.u8();
          if (form > 1) {
            throw new Malformed("value form " + form, kc.pos - 1);
          }
          long count = kc.varint();
          totalValues += count;
          if (count < 0 || totalValues > valueStream.remaining()) {
            throw new Malformed("stack claims " + count + " values, more than the value stream holds", kc.pos);
          }
          values[j] = new long[(int) count];
          maxValues = Math.max(maxValues, (int) count);
        } catch (Malformed m) {
          throw corrupt(m, "stack entry " + g);
        }
        keyBody[j] = kc.pos;
      }
      long[][] base = new long[samples][];
      for (int j = 0; j < samples; j++) {
        base[j] = lastValues[keys[j]];
        if (base[j] != null && base[j].length != values[j].length) {
          throw valueStream.corrupt("stack " + keys[j] + " changed its value count");
        }
      }
      for (int col = 0; col < maxValues; col++) {
        for (int j = 0; j < samples; j++) {
          if (values[j].length > col) {
            values[j][col] = valueStream.varint("sample value") + (base[j] == null ? 0 : base[j][col]);
          }
        }
      }
      for (int j = 0; j < samples; j++) {
        lastValues[keys[j]] = values[j];
      }
      // symbols: locations predicted from the stacks, functions from the locations, mappings delta-coded
      int[][] symbolGlobal = new int[7][];
      long[][] symbolIds = new long[7][];
      Ints predicted = new Ints();
      try {
        for (int j = 0; j < samples; j++) {
          collectEntry(0, stacks, keys[j], true, SAMPLE_SCHEMA, LOC, predicted);
        }
        symbolGlobal[F_LOCATION] = readPredicted(st[SYMBOL_REFS], (int) counts[F_LOCATION], predicted, locations.size());
        predicted.n = 0;
        for (int g : symbolGlobal[F_LOCATION]) {
          collectEntry(1, locations, g, false, LOCATION_SCHEMA, FUNC, predicted);
        }
        symbolGlobal[F_FUNCTION] = readPredicted(st[SYMBOL_REFS], (int) counts[F_FUNCTION], predicted, functions.size());
      } catch (Malformed m) {
        throw corrupt(m, "symbol entries");
      }
      int mappingCount = (int) counts[F_MAPPING];
      symbolGlobal[F_MAPPING] = new int[mappingCount];
      int prevG = -1;
      for (int i = 0; i < mappingCount; i++) {
        prevG = entry(st[SYMBOL_REFS], prevG, mappings.size(), "mapping reference");
        symbolGlobal[F_MAPPING][i] = prevG;
      }
      for (int what : new int[] {F_LOCATION, F_FUNCTION, F_MAPPING}) {
        LocalIds ids = what == F_MAPPING ? mapLocal : what == F_FUNCTION ? funcLocal : locLocal;
        int count = symbolGlobal[what].length;
        symbolIds[what] = new long[count];
        long prevId = 0;
        for (int i = 0; i < count; i++) {
          int g = symbolGlobal[what][i];
          long id = prevId + 1 + st[IDS].varint("symbol id");
          symbolIds[what][i] = id;
          ids.stamp[g] = profile;
          ids.local[g] = id;
          prevId = id;
        }
      }
      // layout: Go's order predicted from the samples, or explicit runs
      int runs;
      int[] runWhat;
      int[] runCount;
      int modeAt = layout.position();
      long mode = layout.uvarint("layout mode");
      if (mode == 0) {
        byte[] w;
        try {
          w = predictLayout(counts, j -> memoList(0, stacks, keys[j], true, SAMPLE_SCHEMA, LOC),
              g -> memoList(1, locations, g, false, LOCATION_SCHEMA, FUNC), locations.size(), outLen);
        } catch (Malformed m) {
          throw corrupt(m, "symbol entries");
        }
        if (w == null) {
          throw layout.corruptAt(modeAt, "the layout predicted from the samples does not match the field counts");
        }
        Ints what = new Ints();
        Ints count = new Ints();
        for (int i = 0; i < w.length; i++) {
          if (i > 0 && w[i] == w[i - 1]) {
            count.a[count.n - 1]++;
          } else {
            what.add(w[i]);
            count.add(1);
          }
        }
        runs = what.n;
        runWhat = what.a;
        runCount = count.a;
      } else {
        if (mode - 1 > layout.remaining()) {
          throw layout.corruptAt(modeAt, "layout of " + (mode - 1) + " runs, more than the layout stream holds");
        }
        runs = (int) (mode - 1);
        runWhat = new int[runs];
        runCount = new int[runs];
        long[] seen = new long[7];
        for (int r = 0; r < runs; r++) {
          int runAt = layout.position();
          long run = layout.uvarint("layout run");
          runWhat[r] = (int) (run & 7);
          if (runWhat[r] == 1 || runWhat[r] == 7 || (run >>> 3) > outLen) {
            throw layout.corruptAt(runAt, "layout run " + Long.toUnsignedString(run) + ": field " + runWhat[r]
                + " is not a modelled kind or the run is longer than the profile");
          }
          runCount[r] = (int) (run >>> 3);
          seen[runWhat[r]] += runCount[r];
        }
        if (!Arrays.equals(seen, counts)) {
          throw layout.corruptAt(modeAt, "layout runs do not add up to the field counts");
        }
      }
      // strings: predicted from the string references of the profile's fields in layout order
      predicted.n = 0;
      int[] next = new int[7];
      try {
        for (int r = 0; r < runs; r++) {
          int what = runWhat[r];
          for (int c = 0; c < runCount[r]; c++) {
            int i = next[what]++;
            if (what == F_SAMPLE) {
              collectEntry(2, stacks, keys[i], true, SAMPLE_SCHEMA, STR, predicted);
            } else if (what == F_MAPPING || what == F_FUNCTION || what == F_LOCATION) {
              Entries e = what == F_MAPPING ? mappings : what == F_FUNCTION ? functions : locations;
              byte[] schema = what == F_MAPPING ? MAPPING_SCHEMA : what == F_FUNCTION ? FUNCTION_SCHEMA : LOCATION_SCHEMA;
              int g = symbolGlobal[what][i];
              collectEntry(what, e, g, false, schema, STR, predicted);
            }
          }
        }
      } catch (Malformed m) {
        throw corrupt(m, "symbol entries");
      }
      int[] table;
      try {
        table = readPredicted(st[STRING_REFS], (int) counts[F_STRING], predicted, strings.size());
      } catch (Malformed m) {
        throw corrupt(m, "string references");
      }
      for (int i = 0; i < table.length; i++) {
        int g = table[i];
        if (stringLocal.stamp[g] != profile) {
          stringLocal.stamp[g] = profile;
          stringLocal.local[g] = i;
        }
      }
      // emit in layout order
      ByteEncoder out = new ByteEncoder((int) Math.min(outLen, 8L * section.length + 4096));
      Arrays.fill(next, 0);
      long[] id = new long[1];
      for (int r = 0; r < runs; r++) {
        int what = runWhat[r];
        for (int c = 0; c < runCount[r]; c++) {
          int i = next[what]++;
          switch (what) {
            case 0 -> {
              ByteDecoder misc = st[MISC];
              int len = misc.uvarintInt("misc field length", misc.remaining());
              out.bytes(misc.bytes(len, "misc field"));
            }
            case F_STRING -> {
              int g = table[i];
              int len = strings.end[g] - strings.start[g];
              out.u8(F_STRING << 3 | 2).uvarint(len).bytes(section, strings.start[g], len);
            }
            case F_SAMPLE -> {
              sample(keys[i], keyBody[i], values[i]);
              out.u8(F_SAMPLE << 3 | 2).uvarint(message.length()).bytes(message.array(), 0, message.length());
            }
            default -> {
              Entries e = what == F_MAPPING ? mappings : what == F_FUNCTION ? functions : locations;
              byte[] schema = what == F_MAPPING ? MAPPING_SCHEMA : what == F_FUNCTION ? FUNCTION_SCHEMA : LOCATION_SCHEMA;
              int g = symbolGlobal[what][i];
              id[0] = symbolIds[what][i];
              message.reset();
              Cursor mc = new Cursor(section, e.start[g], e.end[g]);
              try {
                while (mc.more()) {
                  rewriteField(mc, schema, this, message, scratch, 0, null, id);
                }
              } catch (Malformed m) {
                throw corrupt(m, "symbol entry " + g + " of field " + what);
              }
              out.u8(what << 3 | 2).uvarint(message.length()).bytes(message.array(), 0, message.length());
            }
          }
          if (checkLengths && out.length() > outLen) {
            throw st[LAYOUT].corrupt("profile " + index + " grows past its declared " + outLen + " bytes");
          }
        }
      }
      if (checkLengths && out.length() != outLen) {
        throw st[LAYOUT].corrupt("profile " + index + " decodes to " + out.length() + " bytes, declared " + outLen);
      }
      return out.array().length == out.length() ? out.array() : out.toByteArray();
    }

    /** Writes the sample of stack {@code g} with {@code values} into {@link #message}. */
    private void sample(int g, int bodyStart, long[] values) throws CorruptBlockException {
      message.reset();
      Cursor kc = new Cursor(section, stacks.start[g], stacks.end[g]);
      try {
        long valuePos = kc.varint();
        int form = kc.u8();
        kc.varint();
        kc.pos = bodyStart;
        long fieldIndex = 0;
        while (true) {
          if (fieldIndex == valuePos) {
            if (form == 0) {
              for (long v : values) {
                message.u8(F_SAMPLE << 3).uvarint(v);
              }
            } else {
              ByteEncoder packed = scratch[2];
              packed.reset();
              for (long v : values) {
                packed.uvarint(v);
              }
              message.u8(F_SAMPLE << 3 | 2).uvarint(packed.length()).bytes(packed.array(), 0, packed.length());
            }
          }
          if (!kc.more()) {
            break;
          }
          rewriteField(kc, SAMPLE_SCHEMA, this, message, scratch, 0, null, null);
          fieldIndex++;
        }
        if (valuePos > fieldIndex) {
          throw new Malformed("value position " + valuePos + " after the last of " + fieldIndex + " fields", bodyStart);
        }
      } catch (Malformed m) {
        throw corrupt(m, "stack entry " + g);
      }
    }

    private void collectEntry(int slot, Entries e, int g, boolean stackKey, byte[] schema, byte kind, Ints out) {
      addAll(out, memoList(slot, e, g, stackKey, schema, kind), maxRefs);
    }

    private int[] memoList(int slot, Entries e, int g, boolean stackKey, byte[] schema, byte kind) {
      int[] list = memos[slot].get(g);
      if (list == null) {
        list = memos[slot].put(g, refsOf(section, e.start[g], e.end[g], stackKey, schema, kind, refsTmp));
      }
      return list;
    }

    private static int[] readPredicted(ByteDecoder d, int count, Ints predicted, int size)
        throws CorruptBlockException {
      Predictor pr = new Predictor(predicted);
      int[] out = new int[count];
      for (int i = 0; i < count; i++) {
        int at = d.position();
        out[i] = pr.global(d.uvarint("symbol reference"), size, at);
      }
      return out;
    }

    /** Code 0: the next stack entry never used before in this chunk; else zigzag(entry - (previous + 1)) + 1. */
    private int stackEntry(ByteDecoder d, int prev) throws CorruptBlockException {
      int at = d.position();
      long code = d.uvarint("stack reference");
      long g;
      if (code == 0) {
        g = nextNewStack++;
      } else {
        long u = code - 1;
        g = prev + 1L + ((u >>> 1) ^ -(u & 1));
      }
      if (g < 0 || g >= stacks.size()) {
        throw d.corruptAt(at, "stack reference to entry " + g + " of a dictionary of " + stacks.size());
      }
      return (int) g;
    }

    private static void bound(long count, ByteDecoder stream, String what) throws CorruptBlockException {
      if (count > stream.remaining()) {
        throw stream.corrupt("layout lists " + count + " " + what + " but only " + stream.remaining()
            + " bytes of their stream remain");
      }
    }

    private static int entry(ByteDecoder d, int prev, int size, String what) throws CorruptBlockException {
      int at = d.position();
      long g = prev + 1L + d.varint(what);
      if (g < 0 || g >= size) {
        throw d.corruptAt(at, what + " to entry " + g + " of a dictionary of " + size);
      }
      return (int) g;
    }
  }
}
