// The harness side of an isolated Java test run (JDK only, no packages).
//
// adjax_code.judge.java_isolation reads this file as text, replaces every TAG with the
// run's random suffix, and puts the parts it needs into each program: the JSON codec in
// both, the server (AdjaxServer) in the candidate's program, the link (AdjaxLink) in the
// tests'. Each part lies between "// -- part NAME" lines. Values cross as one JSON line
// each over standard input (a socket the harness holds); only plain data crosses, and an
// object of one of the solution's classes crosses as a handle that stays in its process.

// -- part json
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

// -- part server
final class AdjaxServer_TAG {
  private static final java.util.ArrayList<Object> objects = new java.util.ArrayList<>();
  private static final java.util.IdentityHashMap<Object, Integer> ids =
      new java.util.IdentityHashMap<>();
  private static java.util.Set<String> handled = new java.util.HashSet<>();

  static void serve(String[] classes) {
    handled = new java.util.HashSet<>(java.util.Arrays.asList(classes));
    AdjaxJson_TAG.send("READY {\"names\":{}}");
    while (true) {
      String line = AdjaxJson_TAG.readLine();
      if (line == null || line.equals("DONE")) break;
      Object reply;
      try {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> req = (java.util.Map<String, Object>) AdjaxJson_TAG.parse(line);
        reply = answer(req);
      } catch (Throwable e) {
        reply = AdjaxJson_TAG.obj("p", "bad request: " + e);
      }
      String text;
      try { text = AdjaxJson_TAG.write(reply); } catch (Throwable e) {
        text = "{\"p\":\"a reply that does not encode\"}";
      }
      AdjaxJson_TAG.send(text);
    }
    Runtime.getRuntime().halt(0);
  }

  private static Object handle(Object v) {
    for (Class<?> c = v.getClass(); c != null; c = c.getSuperclass()) {
      if (handled.contains(c.getName())) {
        Integer id = ids.get(v);
        if (id == null) {
          id = objects.size();
          objects.add(v);
          ids.put(v, id);
        }
        return AdjaxJson_TAG.obj("h", new AdjaxJson_TAG.Num(id.toString()), "c", c.getName());
      }
    }
    return null;
  }

  private static Object enc(Object v) {
    return AdjaxJson_TAG.encode(v, AdjaxServer_TAG::handle, 0);
  }

  private static String sig(Class<?>[] types) {
    StringBuilder b = new StringBuilder();
    for (Class<?> t : types) b.append(t.getSimpleName()).append(',');
    return b.toString();
  }

  private static Object answer(java.util.Map<String, Object> req) throws Throwable {
    String op = String.valueOf(req.get("op"));
    Class<?> c = Class.forName(String.valueOf(req.get("c")), false,
                               AdjaxServer_TAG.class.getClassLoader());
    String name = String.valueOf(req.get("n"));
    StringBuilder want = new StringBuilder();
    for (Object s : AdjaxJson_TAG.items(req.get("s"))) want.append(s).append(',');
    java.util.List<?> raw = AdjaxJson_TAG.items(req.get("a"));
    java.lang.reflect.Type[] types = null;
    java.lang.reflect.Executable target = null;
    if (op.equals("get")) {
      java.lang.reflect.Field f = c.getDeclaredField(name);
      f.setAccessible(true);
      return AdjaxJson_TAG.obj("v", enc(f.get(null)));
    }
    java.lang.reflect.Executable[] all = op.equals("new") ? c.getDeclaredConstructors()
        : c.getDeclaredMethods();
    for (java.lang.reflect.Executable e : all) {
      if ((op.equals("new") || e.getName().equals(name))
          && sig(e.getParameterTypes()).equals(want.toString())) {
        target = e;
        types = e.getGenericParameterTypes();
      }
    }
    if (target == null) {
      return AdjaxJson_TAG.obj("p", "has no " + c.getSimpleName() + "." + name + "("
                               + want + ")");
    }
    if (types.length != raw.size()) return AdjaxJson_TAG.obj("p", "bad request");
    Object self = null;
    if (req.get("h") != null) {
      self = objects.get((int) AdjaxJson_TAG.ranged(req.get("h"), 0, objects.size() - 1));
    }
    Object[] args = new Object[types.length];
    java.util.ArrayList<Object> before = new java.util.ArrayList<>();
    for (int k = 0; k < args.length; k++) {
      args[k] = decode(types[k], raw.get(k), 0);
      before.add(AdjaxJson_TAG.container(args[k]) ? AdjaxJson_TAG.write(enc(args[k])) : null);
    }
    target.setAccessible(true);
    Object got;
    try {
      got = target instanceof java.lang.reflect.Constructor
          ? ((java.lang.reflect.Constructor<?>) target).newInstance(args)
          : ((java.lang.reflect.Method) target).invoke(self, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      return AdjaxJson_TAG.obj("x", failure(e.getCause()));
    }
    try {
      java.util.ArrayList<Object> changed = new java.util.ArrayList<>();
      for (int k = 0; k < args.length; k++) {
        if (before.get(k) == null) continue;
        Object now = enc(args[k]);
        if (!AdjaxJson_TAG.write(now).equals(before.get(k))) {
          java.util.ArrayList<Object> pair = new java.util.ArrayList<>();
          pair.add(new AdjaxJson_TAG.Num(Integer.toString(k)));
          pair.add(now);
          changed.add(pair);
        }
      }
      return AdjaxJson_TAG.obj("v", enc(got), "u", changed);
    } catch (AdjaxJson_TAG.WireError e) {
      return AdjaxJson_TAG.obj("p", "returned " + e.getMessage());
    }
  }

  private static Object failure(Throwable e) {
    java.util.ArrayList<Object> chain = new java.util.ArrayList<>();
    for (Class<?> c = e.getClass(); c != null && chain.size() < 20; c = c.getSuperclass()) {
      chain.add(c.getName());
    }
    String m;
    try { m = e.getMessage(); } catch (Throwable t) { m = null; }
    if (m != null && m.length() > 1000) m = m.substring(0, 1000);
    return AdjaxJson_TAG.obj("n", chain, "m", m);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object decode(java.lang.reflect.Type t, Object d, int depth) {
    if (depth > AdjaxJson_TAG.MAX_DEPTH) throw new AdjaxJson_TAG.WireError("nested too deep");
    if (t instanceof Class) {
      Class<?> c = (Class<?>) t;
      if (c.isArray()) {
        if (d == null) return null;
        java.util.List<?> xs = AdjaxJson_TAG.items(d);
        Object a = java.lang.reflect.Array.newInstance(c.getComponentType(), xs.size());
        for (int k = 0; k < xs.size(); k++) {
          java.lang.reflect.Array.set(a, k, decode(c.getComponentType(), xs.get(k), depth + 1));
        }
        return a;
      }
      Object v = AdjaxJson_TAG.scalar(c.getSimpleName(), d, c.isPrimitive());
      if (v != AdjaxJson_TAG.class) return v;
      if (d == null) return null;
      if (d instanceof java.util.Map && ((java.util.Map<?, ?>) d).containsKey("h")) {
        Object o = objects.get((int) AdjaxJson_TAG.ranged(((java.util.Map<?, ?>) d).get("h"),
                                                          0, objects.size() - 1));
        if (!c.isInstance(o)) throw new AdjaxJson_TAG.WireError("a handle of the wrong class");
        return o;
      }
      throw new AdjaxJson_TAG.WireError("cannot decode " + c.getName());
    }
    if (t instanceof java.lang.reflect.GenericArrayType) {
      if (d == null) return null;
      java.lang.reflect.Type e = ((java.lang.reflect.GenericArrayType) t).getGenericComponentType();
      Class<?> raw = e instanceof Class ? (Class<?>) e
          : (Class<?>) ((java.lang.reflect.ParameterizedType) e).getRawType();
      java.util.List<?> xs = AdjaxJson_TAG.items(d);
      Object a = java.lang.reflect.Array.newInstance(raw, xs.size());
      for (int k = 0; k < xs.size(); k++) {
        java.lang.reflect.Array.set(a, k, decode(e, xs.get(k), depth + 1));
      }
      return a;
    }
    if (t instanceof java.lang.reflect.ParameterizedType) {
      if (d == null) return null;
      java.lang.reflect.ParameterizedType p = (java.lang.reflect.ParameterizedType) t;
      String raw = ((Class<?>) p.getRawType()).getSimpleName();
      java.lang.reflect.Type[] args = p.getActualTypeArguments();
      java.util.Collection col = AdjaxJson_TAG.collection(raw);
      if (col != null) {
        for (Object x : AdjaxJson_TAG.items(d)) col.add(decode(args[0], x, depth + 1));
        return col;
      }
      java.util.Map map = AdjaxJson_TAG.map(raw);
      if (map != null) {
        for (Object x : AdjaxJson_TAG.items(d)) {
          java.util.List<?> pair = AdjaxJson_TAG.items(x);
          if (pair.size() != 2) throw new AdjaxJson_TAG.WireError("malformed map");
          map.put(decode(args[0], pair.get(0), depth + 2), decode(args[1], pair.get(1), depth + 2));
        }
        return map;
      }
    }
    throw new AdjaxJson_TAG.WireError("cannot decode " + t);
  }
}

// -- part link
final class AdjaxH_TAG {
  final int id;
  AdjaxH_TAG(int id) { this.id = id; }
}

interface AdjaxHandled_TAG {
  int adjaxId_TAG();
}

final class NotPlainData_TAG extends Error {
  NotPlainData_TAG(String m) { super(m); }
}

final class AdjaxLink_TAG {
  private static final java.util.HashMap<Integer, Object> stubs = new java.util.HashMap<>();
  private static final java.util.HashMap<String, Object[]> types = new java.util.HashMap<>();
  private static java.util.Set<String> classes = new java.util.HashSet<>();

  static void start(String... handled) {
    classes = new java.util.HashSet<>(java.util.Arrays.asList(handled));
    if (AdjaxJson_TAG.readLine() == null) die("the harness did not start the tests");
  }

  // The solution's process is gone: the tests cannot go on, and never reach END (a test
  // that catches everything must not take the candidate's exit for the throw it expected).
  static void die(String why) {
    System.err.println("adjax: " + why);
    System.err.flush();
    Runtime.getRuntime().halt(3);
  }

  static void report(String line) {
    AdjaxJson_TAG.send(line);
  }

  static void bind(AdjaxH_TAG h, Object stub) {
    stubs.put(h.id, stub);
  }

  // A type descriptor: NAME('<' T (',' T)* '>')?('[]')*, NAME a simple JDK name or
  // '@' and the binary name of a stub class; parsed to {name, arguments, dimensions}.
  private static Object[] type(String d) {
    Object[] t = types.get(d);
    if (t != null) return t;
    int dims = 0;
    String s = d;
    while (s.endsWith("[]")) { s = s.substring(0, s.length() - 2); dims++; }
    java.util.ArrayList<String> args = new java.util.ArrayList<>();
    String name = s;
    int lt = s.indexOf('<');
    if (lt >= 0) {
      name = s.substring(0, lt);
      int depth = 0, from = lt + 1;
      for (int k = lt + 1; k < s.length() - 1; k++) {
        char c = s.charAt(k);
        if (c == '<') depth++;
        else if (c == '>') depth--;
        else if (c == ',' && depth == 0) { args.add(s.substring(from, k)); from = k + 1; }
      }
      args.add(s.substring(from, s.length() - 1));
    }
    t = new Object[] {name, args, dims};
    types.put(d, t);
    return t;
  }

  private static Class<?> arrayClass(String d) throws ClassNotFoundException {
    Object[] t = type(d);
    String name = (String) t[0];
    Class<?> base;
    switch (name) {
      case "int": base = int.class; break;
      case "long": base = long.class; break;
      case "short": base = short.class; break;
      case "byte": base = byte.class; break;
      case "char": base = char.class; break;
      case "boolean": base = boolean.class; break;
      case "double": base = double.class; break;
      case "float": base = float.class; break;
      default:
        if (name.startsWith("@")) base = Class.forName(name.substring(1));
        else if (AdjaxJson_TAG.collection(name) != null) base = java.util.Collection.class;
        else if (AdjaxJson_TAG.map(name) != null) base = java.util.Map.class;
        else if (name.startsWith("Big")) base = Class.forName("java.math." + name);
        else base = Class.forName("java.lang." + name);
    }
    return base;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  static Object decode(String desc, Object d, int depth) throws Exception {
    if (depth > AdjaxJson_TAG.MAX_DEPTH) throw new AdjaxJson_TAG.WireError("nested too deep");
    Object[] t = type(desc);
    String name = (String) t[0];
    java.util.List<String> args = (java.util.List<String>) t[1];
    int dims = (Integer) t[2];
    if (dims > 0) {
      if (d == null) return null;
      String inner = desc.substring(0, desc.length() - 2);
      java.util.List<?> xs = AdjaxJson_TAG.items(d);
      Class<?> base = arrayClass(name);
      int[] shape = new int[dims];
      shape[0] = xs.size();
      Object a = java.lang.reflect.Array.newInstance(base, shape);
      for (int k = 0; k < xs.size(); k++) {
        java.lang.reflect.Array.set(a, k, decode(inner, xs.get(k), depth + 1));
      }
      return a;
    }
    boolean primitive = Character.isLowerCase(name.charAt(0));
    Object v = AdjaxJson_TAG.scalar(name, d, primitive);
    if (v != AdjaxJson_TAG.class) return v;
    if (d == null) return null;
    java.util.Collection col = AdjaxJson_TAG.collection(name);
    if (col != null) {
      for (Object x : AdjaxJson_TAG.items(d)) col.add(decode(args.get(0), x, depth + 1));
      return col;
    }
    java.util.Map map = AdjaxJson_TAG.map(name);
    if (map != null) {
      for (Object x : AdjaxJson_TAG.items(d)) {
        java.util.List<?> pair = AdjaxJson_TAG.items(x);
        if (pair.size() != 2) throw new AdjaxJson_TAG.WireError("malformed map");
        map.put(decode(args.get(0), pair.get(0), depth + 2),
                decode(args.get(1), pair.get(1), depth + 2));
      }
      return map;
    }
    if (name.startsWith("@") && d instanceof java.util.Map) {
      java.util.Map<?, ?> h = (java.util.Map<?, ?>) d;
      int id = (int) AdjaxJson_TAG.ranged(h.get("h"), 0, Integer.MAX_VALUE);
      Object stub = stubs.get(id);
      if (stub == null) {
        String cls = String.valueOf(h.get("c"));
        if (!classes.contains(cls)) throw new AdjaxJson_TAG.WireError("an object of " + cls);
        java.lang.reflect.Constructor<?> k =
            Class.forName(cls).getDeclaredConstructor(AdjaxH_TAG.class);
        k.setAccessible(true);
        stub = k.newInstance(new AdjaxH_TAG(id));
      }
      if (!Class.forName(name.substring(1)).isInstance(stub)) {
        throw new AdjaxJson_TAG.WireError("an object of the wrong class");
      }
      return stub;
    }
    throw new AdjaxJson_TAG.WireError("a value that is not a " + name);
  }

  private static Object ref(Object v) {
    if (v instanceof AdjaxHandled_TAG) {
      return AdjaxJson_TAG.obj("h", new AdjaxJson_TAG.Num(
          Integer.toString(((AdjaxHandled_TAG) v).adjaxId_TAG())));
    }
    return null;
  }

  private static RuntimeException sneaky(Throwable e) {
    AdjaxLink_TAG.<RuntimeException>raise(e);
    return null;
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void raise(Throwable e) throws E {
    throw (E) e;
  }

  private static Throwable rebuild(Object x) {
    java.util.Map<?, ?> m = x instanceof java.util.Map ? (java.util.Map<?, ?>) x
        : new java.util.HashMap<>();
    Object msg = m.get("m");
    String text = msg instanceof String ? (String) msg : null;
    Object chain = m.get("n");
    String first = "an exception";
    if (chain instanceof java.util.List) {
      for (Object n : (java.util.List<?>) chain) {
        if (!(n instanceof String)) continue;
        String cls = (String) n;
        if (first.equals("an exception")) first = cls;
        if (!classes.contains("!" + cls) && !cls.startsWith("java.")) continue;
        try {
          Class<?> c = Class.forName(cls, false, AdjaxLink_TAG.class.getClassLoader());
          if (!Throwable.class.isAssignableFrom(c)) continue;
          try {
            java.lang.reflect.Constructor<?> k = c.getDeclaredConstructor(String.class);
            k.setAccessible(true);
            return (Throwable) k.newInstance(text);
          } catch (NoSuchMethodException e) {
            java.lang.reflect.Constructor<?> k = c.getDeclaredConstructor();
            k.setAccessible(true);
            return (Throwable) k.newInstance();
          }
        } catch (Throwable e) {
          continue;
        }
      }
    }
    return new RuntimeException(first + (text == null ? "" : ": " + text));
  }

  /** One call of the solution: a static method (self null), an instance method, a
   * constructor (name "<init>") or a static field (params null); decoded as ret. */
  static synchronized Object call(String cls, Object self, String name, String[] params,
                                  String ret, Object[] args) {
    try {
      java.util.ArrayList<Object> sig = new java.util.ArrayList<>();
      java.util.ArrayList<Object> encoded = new java.util.ArrayList<>();
      for (String p : params == null ? new String[0] : params) {
        sig.add(AdjaxJson_TAG.simple(p.replaceAll("<.*>", "").replace("@", "")));
      }
      try {
        for (Object a : args) encoded.add(AdjaxJson_TAG.encode(a, AdjaxLink_TAG::ref, 0));
      } catch (AdjaxJson_TAG.WireError e) {
        throw new NotPlainData_TAG("an argument that cannot go to the solution: "
                                   + e.getMessage());
      }
      String op = params == null ? "get" : name.equals("<init>") ? "new" : "call";
      java.util.Map<String, Object> req = AdjaxJson_TAG.obj("op", op, "c", cls, "n", name,
                                                            "s", sig, "a", encoded);
      if (self != null) req.put("h", ((java.util.Map<?, ?>) ref(self)).get("h"));
      AdjaxJson_TAG.send("CALL " + AdjaxJson_TAG.write(req));
      String line = AdjaxJson_TAG.readLine();
      Object parsed = null;
      try { parsed = line == null ? null : AdjaxJson_TAG.parse(line); } catch (
          AdjaxJson_TAG.WireError e) { parsed = null; }
      if (!(parsed instanceof java.util.Map)) die("the link to the solution failed");
      java.util.Map<?, ?> reply = (java.util.Map<?, ?>) parsed;
      if (reply.containsKey("d")) die("the solution's process " + reply.get("d"));
      if (reply.containsKey("p")) throw new NotPlainData_TAG("the solution " + reply.get("p"));
      if (reply.containsKey("x")) throw sneaky(rebuild(reply.get("x")));
      try {
        if (reply.get("u") instanceof java.util.List) {
          for (Object u : (java.util.List<?>) reply.get("u")) {
            java.util.List<?> pair = AdjaxJson_TAG.items(u);
            int k = (int) AdjaxJson_TAG.ranged(pair.get(0), 0, args.length - 1);
            AdjaxJson_TAG.refill(args[k], decode(params[k], pair.get(1), 0));
          }
        }
        if (op.equals("new")) {
          Object h = reply.get("v");
          if (!(h instanceof java.util.Map)) throw new AdjaxJson_TAG.WireError("no object");
          return new AdjaxH_TAG((int) AdjaxJson_TAG.ranged(((java.util.Map<?, ?>) h).get("h"),
                                                           0, Integer.MAX_VALUE));
        }
        return ret.equals("void") ? null : decode(ret, reply.get("v"), 0);
      } catch (AdjaxJson_TAG.WireError e) {
        throw new NotPlainData_TAG("the solution returned " + e.getMessage());
      }
    } catch (Error | RuntimeException e) {
      throw e;
    } catch (Throwable e) {
      throw sneaky(e);
    }
  }
}
