// Plain data between a Java candidate and its tests (JDK only): the JSON codec, Java values
// to and from JSON trees, and one line at a time on standard input (a socket the harness
// holds). adjax_code.judge.java_isolation puts this file into both programs with every TAG
// replaced by the run's random suffix; values are encoded by their runtime type and decoded
// into the declared one, and an object of one of the solution's classes crosses as a
// handle ({"h": id, "c": binary class name}) that stays in the candidate's process.

final class AdjaxJson_TAG {
  static final int MAX_DEPTH = 100;
  static final int MAX_ITEMS = 100000;

  static final class Num {
    final String text;
    Num(String text) { this.text = text; }
  }

  static final class WireError extends RuntimeException {
    WireError(String m) { super(m); }
  }

  private final String s;
  private int i;

  private AdjaxJson_TAG(String s) { this.s = s; }

  static Object parse(String text) {
    AdjaxJson_TAG p = new AdjaxJson_TAG(text);
    Object v = p.value(0);
    p.ws();
    if (p.i != text.length()) throw new WireError("malformed JSON");
    return v;
  }

  private void ws() {
    while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) i++;
  }

  private boolean at(String word) {
    if (s.startsWith(word, i)) { i += word.length(); return true; }
    return false;
  }

  private Object value(int depth) {
    if (depth > 3 * MAX_DEPTH + 8) throw new WireError("nested too deep");
    ws();
    if (i >= s.length()) throw new WireError("malformed JSON");
    char c = s.charAt(i);
    if (c == '{') {
      i++;
      java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
      ws();
      if (at("}")) return m;
      while (true) {
        ws();
        if (i >= s.length() || s.charAt(i) != '"') throw new WireError("malformed JSON");
        String k = string();
        ws();
        if (!at(":")) throw new WireError("malformed JSON");
        m.put(k, value(depth + 1));
        ws();
        if (at("}")) return m;
        if (!at(",")) throw new WireError("malformed JSON");
      }
    }
    if (c == '[') {
      i++;
      java.util.ArrayList<Object> a = new java.util.ArrayList<>();
      ws();
      if (at("]")) return a;
      while (true) {
        a.add(value(depth + 1));
        ws();
        if (at("]")) return a;
        if (!at(",")) throw new WireError("malformed JSON");
      }
    }
    if (c == '"') return string();
    if (at("null")) return null;
    if (at("true")) return Boolean.TRUE;
    if (at("false")) return Boolean.FALSE;
    if (at("NaN")) return new Num("NaN");
    if (at("Infinity")) return new Num("Infinity");
    if (at("-Infinity")) return new Num("-Infinity");
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
    if (start == i) throw new WireError("malformed JSON");
    return new Num(s.substring(start, i));
  }

  private String string() {
    StringBuilder b = new StringBuilder();
    i++;
    while (true) {
      if (i >= s.length()) throw new WireError("malformed JSON");
      char c = s.charAt(i++);
      if (c == '"') return b.toString();
      if (c != '\\') { b.append(c); continue; }
      if (i >= s.length()) throw new WireError("malformed JSON");
      char e = s.charAt(i++);
      switch (e) {
        case 'n': b.append('\n'); break;
        case 't': b.append('\t'); break;
        case 'r': b.append('\r'); break;
        case 'b': b.append('\b'); break;
        case 'f': b.append('\f'); break;
        case 'u':
          if (i + 4 > s.length()) throw new WireError("malformed JSON");
          b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
          break;
        default: b.append(e);
      }
    }
  }

  static String write(Object v) {
    StringBuilder b = new StringBuilder();
    write(b, v);
    return b.toString();
  }

  static void write(StringBuilder b, Object v) {
    if (v == null) b.append("null");
    else if (v instanceof Boolean) b.append(v.toString());
    else if (v instanceof Num) b.append(((Num) v).text);
    else if (v instanceof String) quote(b, (String) v);
    else if (v instanceof java.util.List) {
      b.append('[');
      boolean first = true;
      for (Object x : (java.util.List<?>) v) {
        if (!first) b.append(',');
        first = false;
        write(b, x);
      }
      b.append(']');
    } else if (v instanceof java.util.Map) {
      b.append('{');
      boolean first = true;
      for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) v).entrySet()) {
        if (!first) b.append(',');
        first = false;
        quote(b, String.valueOf(e.getKey()));
        b.append(':');
        write(b, e.getValue());
      }
      b.append('}');
    } else throw new WireError("cannot write " + v.getClass().getName());
  }

  static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20 || c > 0x7e) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    b.append('"');
  }

  static java.util.Map<String, Object> obj(Object... kv) {
    java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
    for (int k = 0; k < kv.length; k += 2) m.put((String) kv[k], kv[k + 1]);
    return m;
  }

  // -- plain data: Java values <-> JSON trees ---------------------------------------------

  /** A value as a JSON tree, by its runtime type; handle(obj) names other objects (or null). */
  static Object encode(Object v, java.util.function.Function<Object, Object> handle, int depth) {
    if (depth > MAX_DEPTH) throw new WireError("nested more than " + MAX_DEPTH + " deep");
    if (v == null || v instanceof Boolean || v instanceof String) return v;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
        || v instanceof java.math.BigInteger) return new Num(v.toString());
    if (v instanceof Double) return new Num(Double.toString((Double) v));
    if (v instanceof Float) return new Num(Double.toString(((Float) v).doubleValue()));
    if (v instanceof Character) return String.valueOf(v);
    if (v instanceof java.math.BigDecimal) return ((java.math.BigDecimal) v).toString();
    if (v instanceof Enum) return ((Enum<?>) v).name();
    java.util.ArrayList<Object> out = new java.util.ArrayList<>();
    if (v.getClass().isArray()) {
      int n = java.lang.reflect.Array.getLength(v);
      if (n > MAX_ITEMS) throw new WireError("more than " + MAX_ITEMS + " items");
      for (int k = 0; k < n; k++) {
        out.add(encode(java.lang.reflect.Array.get(v, k), handle, depth + 1));
      }
      return out;
    }
    if (v instanceof java.util.Collection) {
      for (Object x : (java.util.Collection<?>) v) {
        if (out.size() >= MAX_ITEMS) throw new WireError("more than " + MAX_ITEMS + " items");
        out.add(encode(x, handle, depth + 1));
      }
      return out;
    }
    if (v instanceof java.util.Map) {
      for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) v).entrySet()) {
        if (out.size() >= MAX_ITEMS) throw new WireError("more than " + MAX_ITEMS + " items");
        java.util.ArrayList<Object> pair = new java.util.ArrayList<>();
        pair.add(encode(e.getKey(), handle, depth + 2));
        pair.add(encode(e.getValue(), handle, depth + 2));
        out.add(pair);
      }
      return out;
    }
    Object ref = handle == null ? null : handle.apply(v);
    if (ref != null) return ref;
    throw new WireError("not plain data: " + v.getClass().getName());
  }

  static double number(Object d) {
    if (!(d instanceof Num)) throw new WireError("a number was expected");
    String t = ((Num) d).text;
    try { return Double.parseDouble(t); } catch (NumberFormatException e) {
      throw new WireError("malformed number");
    }
  }

  static java.math.BigInteger integer(Object d) {
    if (!(d instanceof Num)) throw new WireError("an integer was expected");
    try { return new java.math.BigInteger(((Num) d).text); } catch (NumberFormatException e) {
      throw new WireError("an integer was expected");
    }
  }

  static long ranged(Object d, long lo, long hi) {
    java.math.BigInteger v = integer(d);
    if (v.compareTo(java.math.BigInteger.valueOf(lo)) < 0
        || v.compareTo(java.math.BigInteger.valueOf(hi)) > 0) {
      throw new WireError("an integer out of range");
    }
    return v.longValue();
  }

  /** A scalar of the named class from a JSON tree (null when the class is no scalar). */
  static Object scalar(String name, Object d, boolean primitive) {
    if (d == null && !primitive) {
      switch (name) {
        case "Integer": case "Long": case "Short": case "Byte": case "Character": case "Boolean":
        case "Double": case "Float": case "String": case "BigInteger": case "BigDecimal":
          return null;
        default:
      }
    }
    switch (name) {
      case "int": case "Integer": return (int) ranged(d, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case "long": case "Long": return ranged(d, Long.MIN_VALUE, Long.MAX_VALUE);
      case "short": case "Short": return (short) ranged(d, Short.MIN_VALUE, Short.MAX_VALUE);
      case "byte": case "Byte": return (byte) ranged(d, Byte.MIN_VALUE, Byte.MAX_VALUE);
      case "double": case "Double": return number(d);
      case "float": case "Float": return (float) number(d);
      case "BigInteger": return integer(d);
      case "boolean": case "Boolean":
        if (!(d instanceof Boolean)) throw new WireError("a boolean was expected");
        return d;
      case "char": case "Character":
        if (!(d instanceof String) || ((String) d).length() != 1) {
          throw new WireError("a char was expected");
        }
        return ((String) d).charAt(0);
      case "String":
        if (!(d instanceof String)) throw new WireError("a string was expected");
        return d;
      case "BigDecimal":
        if (!(d instanceof String)) throw new WireError("a decimal was expected");
        try { return new java.math.BigDecimal((String) d); } catch (NumberFormatException e) {
          throw new WireError("a decimal was expected");
        }
      default: return AdjaxJson_TAG.class;  // not a scalar
    }
  }

  /** A new, empty collection of the named kind (null when it is none). */
  @SuppressWarnings("rawtypes")
  static java.util.Collection collection(String name) {
    switch (name) {
      case "List": case "ArrayList": case "Collection": case "Iterable":
        return new java.util.ArrayList();
      case "LinkedList": return new java.util.LinkedList();
      case "Set": case "HashSet": return new java.util.HashSet();
      case "LinkedHashSet": return new java.util.LinkedHashSet();
      case "TreeSet": case "SortedSet": case "NavigableSet": return new java.util.TreeSet();
      case "Queue": case "Deque": case "ArrayDeque": return new java.util.ArrayDeque();
      case "PriorityQueue": return new java.util.PriorityQueue();
      case "Stack": return new java.util.Stack();
      case "Vector": return new java.util.Vector();
      default: return null;
    }
  }

  @SuppressWarnings("rawtypes")
  static java.util.Map map(String name) {
    switch (name) {
      case "Map": case "HashMap": return new java.util.HashMap();
      case "LinkedHashMap": return new java.util.LinkedHashMap();
      case "TreeMap": case "SortedMap": case "NavigableMap": return new java.util.TreeMap();
      default: return null;
    }
  }

  static java.util.List<?> items(Object d) {
    if (!(d instanceof java.util.List)) throw new WireError("a list was expected");
    return (java.util.List<?>) d;
  }

  static String simple(String name) {
    int k = Math.max(name.lastIndexOf('.'), name.lastIndexOf('$'));
    return name.substring(k + 1);
  }

  /** Copies what a call left in an array, collection or map back into the original. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static void refill(Object original, Object now) {
    if (original == null || now == null) return;
    if (original.getClass().isArray() && now.getClass().isArray()) {
      int n = Math.min(java.lang.reflect.Array.getLength(original),
                       java.lang.reflect.Array.getLength(now));
      for (int k = 0; k < n; k++) {
        Object a = java.lang.reflect.Array.get(original, k);
        Object b = java.lang.reflect.Array.get(now, k);
        if (a != null && b != null && a.getClass().isArray() && b.getClass().isArray()
            && java.lang.reflect.Array.getLength(a) == java.lang.reflect.Array.getLength(b)) {
          refill(a, b);
        } else {
          java.lang.reflect.Array.set(original, k, b);
        }
      }
    } else if (original instanceof java.util.Collection && now instanceof java.util.Collection) {
      ((java.util.Collection) original).clear();
      ((java.util.Collection) original).addAll((java.util.Collection) now);
    } else if (original instanceof java.util.Map && now instanceof java.util.Map) {
      ((java.util.Map) original).clear();
      ((java.util.Map) original).putAll((java.util.Map) now);
    }
  }

  /** The constant of an enum named by a JSON string (null for null). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Object constant(Class<?> c, Object d) {
    if (d == null) return null;
    if (!(d instanceof String)) throw new WireError("an enum constant was expected");
    try { return Enum.valueOf((Class) c, (String) d); } catch (IllegalArgumentException e) {
      throw new WireError("no constant " + d + " in " + c.getSimpleName());
    }
  }

  static boolean container(Object v) {
    return v != null && (v.getClass().isArray() || v instanceof java.util.Collection
                         || v instanceof java.util.Map);
  }

  // -- one line at a time on standard input (a socket) -----------------------------------

  static final java.io.InputStream IN = new java.io.FileInputStream(java.io.FileDescriptor.in);
  static final java.io.OutputStream OUT =
      new java.io.FileOutputStream(java.io.FileDescriptor.in);

  static String readLine() {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    try {
      while (true) {
        int c = IN.read();
        if (c < 0) return null;
        if (c == '\n') return new String(b.toByteArray(), java.nio.charset.StandardCharsets.UTF_8);
        b.write(c);
      }
    } catch (java.io.IOException e) {
      return null;
    }
  }

  static void send(String line) {
    try {
      OUT.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      OUT.flush();
    } catch (java.io.IOException e) {
      throw new WireError("the harness is gone");
    }
  }
}
