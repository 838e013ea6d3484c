// The candidate's side of an isolated Java test run (with java_wire.java): answers the
// tests' calls of the solution's static methods, constructors, instance methods (by handle)
// and static fields by reflection, matched by name and the simple names of the parameter
// types; holds nothing the verdict depends on. TAG is the run's random suffix.

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
      if (c.isEnum()) return AdjaxJson_TAG.constant(c, d);
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
