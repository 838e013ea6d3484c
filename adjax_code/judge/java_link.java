// The tests' side of an isolated Java test run (with java_wire.java): the stubs of the
// solution's classes (adjax_code.judge.java_stubs) call AdjaxLink.call, which sends the call
// through the harness and decodes the reply into the declared type (a descriptor), rebuilds
// a thrown exception, and writes back what the call changed in an array, collection or map
// argument. TAG is the run's random suffix.

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

  // Why the sample is refused: a stub of the solution's top-level class NAME is a class of
  // the tests' own package, which wins over java.lang and over the tests' imports on demand,
  // so a solution's System, ClassLoader, AssertionError or Arrays would stand in for the
  // JDK's; so would a class named like the first part of a JDK package (javax, jdk). null
  // when no name hides one. Checked against the running JDK, before any test runs; every JDK
  // name here is written in full, as the stubs share this file (the host refuses a class
  // named java).
  static java.lang.String shadowed(java.lang.String[] names, java.lang.String[] containers) {
    java.lang.ClassLoader loader = java.lang.ClassLoader.getSystemClassLoader();
    java.util.HashSet<java.lang.String> roots = new java.util.HashSet<>();
    for (java.lang.Module m : java.lang.ModuleLayer.boot().modules()) {
      for (java.lang.String p : m.getPackages()) roots.add(p.split("[.]")[0]);
    }
    for (java.lang.String name : names) {
      if (roots.contains(name)) {
        return "the solution declares " + name + ", which would hide the JDK's " + name
            + " packages in the tests; rename it";
      }
      for (java.lang.String where : containers) {
        for (java.lang.String sep : new java.lang.String[] {".", "$"}) {
          try {
            java.lang.Class<?> c = java.lang.Class.forName(where + sep + name, false, loader);
            if (java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
              return "the solution declares " + name + ", which would hide "
                  + c.getCanonicalName() + " in the tests; rename it";
            }
          } catch (java.lang.ClassNotFoundException | java.lang.LinkageError e) {
            // not a class there
          }
        }
      }
    }
    return null;
  }

  static void report(String line) {
    AdjaxJson_TAG.send(line);
  }

  static synchronized void bind(AdjaxH_TAG h, Object stub) {
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
        if (name.startsWith("@") || name.startsWith("%")) base = Class.forName(name.substring(1));
        else if (name.equals("Iterable")) base = Iterable.class;
        else if (AdjaxJson_TAG.collection(name) != null || AdjaxJson_TAG.map(name) != null) {
          base = Class.forName("java.util." + name);
        }
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
    if (name.startsWith("%")) return AdjaxJson_TAG.constant(Class.forName(name.substring(1)), d);
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
        sig.add(AdjaxJson_TAG.simple(p.replaceAll("<.*>", "").replaceAll("^[@%]", "")));
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
