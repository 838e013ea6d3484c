// The harness side of an isolated JavaScript/TypeScript test run (node, no packages).
//
// adjax_code.judge.js_isolation reads this file as text and runs it with
// new Function("require", source)(require) in both sandboxed processes: the candidate's
// (serve) and the tests' (start, bind, report). Values cross as one JSON line each, relayed
// by the harness over standard input (a socket). Only plain data crosses: null, booleans,
// numbers (NaN, the infinities and -0 tagged), strings, undefined, bigints, arrays, plain
// objects, Maps and Sets; an instance of a class the solution defines crosses as a handle
// and stays in the candidate's process. Nothing decoded here can run code.
"use strict";
const fs = require("fs");
const MAX_DEPTH = 100;
const MAX_ITEMS = 100000;
const ERRORS = ["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError",
                "EvalError", "URIError", "AggregateError"];

class WireError extends Error {}

let inbox = Buffer.alloc(0);

function send(line) {
  const data = Buffer.from(line + "\n", "utf8");
  let off = 0;
  while (off < data.length) {
    try { off += fs.writeSync(0, data, off); } catch (e) {
      if (!e || e.code !== "EAGAIN") throw e;
    }
  }
}

function readLine() {
  const chunk = Buffer.alloc(1 << 16);
  for (;;) {
    const i = inbox.indexOf(10);
    if (i >= 0) {
      const line = inbox.subarray(0, i).toString("utf8");
      inbox = inbox.subarray(i + 1);
      return line;
    }
    let n;
    try { n = fs.readSync(0, chunk, 0, chunk.length, null); } catch (e) {
      if (e && e.code === "EAGAIN") {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
        continue;
      }
      if (e && e.code === "EOF") return null;
      throw e;
    }
    if (n === 0) return null;
    inbox = Buffer.concat([inbox, chunk.subarray(0, n)]);
  }
}

function kind(v) {
  if (v === null) return "null";
  if (typeof v !== "object" && typeof v !== "function") return typeof v;
  try {
    const c = Object.getPrototypeOf(v);
    return (c && c.constructor && String(c.constructor.name)) || typeof v;
  } catch (e) { return typeof v; }
}

function encode(v, handle, depth) {
  depth = depth || 0;
  if (depth > MAX_DEPTH) throw new WireError("nested more than " + MAX_DEPTH + " deep");
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") {
    if (Number.isNaN(v)) return {n: "NaN"};
    if (v === Infinity) return {n: "Infinity"};
    if (v === -Infinity) return {n: "-Infinity"};
    if (Object.is(v, -0)) return {n: "-0"};
    return v;
  }
  if (v === undefined) return {u: 1};
  if (typeof v === "bigint") return {bi: v.toString()};
  if (Array.isArray(v)) {
    const out = [];
    for (let i = 0; i < v.length; i++) out.push(encode(v[i], handle, depth + 1));
    return out;
  }
  if (v instanceof Map) {
    return {m: Array.from(v, ([k, x]) => [encode(k, handle, depth + 1),
                                          encode(x, handle, depth + 1)])};
  }
  if (v instanceof Set) return {s: Array.from(v, (x) => encode(x, handle, depth + 1))};
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      return {o: Object.keys(v).map((k) => [k, encode(v[k], handle, depth + 1)])};
    }
  }
  const ref = handle ? handle(v) : null;
  if (ref) return ref;
  throw new WireError("not plain data: " + kind(v));
}

function decode(d, handle, depth) {
  depth = depth || 0;
  if (depth > MAX_DEPTH) throw new WireError("nested more than " + MAX_DEPTH + " deep");
  if (d === null || typeof d !== "object") return d;
  if (Array.isArray(d)) return d.map((x) => decode(x, handle, depth + 1));
  if (handle && "h" in d) return handle(d.h, d.c);
  const keys = Object.keys(d);
  if (keys.length !== 1) throw new WireError("malformed value");
  const k = keys[0], b = d[k];
  const list = () => {
    if (!Array.isArray(b)) throw new WireError("malformed value");
    return b;
  };
  if (k === "n" && ["NaN", "Infinity", "-Infinity", "-0"].includes(b)) {
    return {"NaN": NaN, "Infinity": Infinity, "-Infinity": -Infinity, "-0": -0}[b];
  }
  if (k === "u") return undefined;
  if (k === "bi" && typeof b === "string" && /^-?[0-9]{1,10000}$/.test(b)) return BigInt(b);
  if (k === "o") {
    const out = {};
    for (const pair of list()) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") {
        throw new WireError("malformed object");
      }
      Object.defineProperty(out, pair[0], {value: decode(pair[1], handle, depth + 1),
                                           enumerable: true, writable: true,
                                           configurable: true});
    }
    return out;
  }
  if (k === "m") {
    return new Map(list().map((p) => [decode(p[0], handle, depth + 1),
                                      decode(p[1], handle, depth + 1)]));
  }
  if (k === "s") return new Set(list().map((x) => decode(x, handle, depth + 1)));
  throw new WireError("malformed value");
}

function isClass(f) {
  try {
    return typeof f === "function" && /^class[\s{]/.test(Function.prototype.toString.call(f));
  } catch (e) { return false; }
}

function isErrorClass(f) {
  try { return f.prototype instanceof Error; } catch (e) { return false; }
}

// -- the candidate's process --------------------------------------------------------------

function failure(e) {
  if (e instanceof Error) {
    const bases = [];
    for (let p = Object.getPrototypeOf(e); p; p = Object.getPrototypeOf(p)) {
      const c = p.constructor;
      if (c && ERRORS.includes(c.name) && globalThis[c.name] === c) bases.push(c.name);
    }
    return {n: String(e.name).slice(0, 200), m: String(e.message).slice(0, 1000), b: bases};
  }
  try { return {t: encode(e)}; } catch (err) {
    return {n: "Error", m: "threw a value that is not plain data: " + kind(e), b: ["Error"]};
  }
}

function serve(table) {
  const names = Object.keys(table);
  const classes = [];
  const objects = [];
  const ids = new Map();
  const value = (name) => table[name]();
  for (const name of names) {
    try { if (isClass(value(name))) classes.push(value(name)); } catch (e) {}
  }
  const handle = (obj) => {
    if (obj === null || typeof obj !== "object") return null;
    if (!classes.some((c) => obj instanceof c)) return null;
    if (!ids.has(obj)) {
      ids.set(obj, objects.length);
      objects.push(obj);
    }
    return {h: ids.get(obj), c: kind(obj)};
  };
  const deref = (ref) => {
    if (typeof ref !== "number" || !(ref in objects)) throw new WireError("no such object");
    return objects[ref];
  };
  const manifest = {};
  for (const name of names) {
    let v;
    try { v = value(name); } catch (e) { continue; }
    if (isClass(v)) manifest[name] = {k: "c", e: isErrorClass(v)};
    else if (typeof v === "function") manifest[name] = {k: "f"};
    else {
      try { manifest[name] = {k: "v", v: encode(v, handle)}; } catch (e) {
        manifest[name] = {k: "o", t: kind(v)};
      }
    }
  }
  send("READY " + JSON.stringify({names: manifest}));
  const answer = (req) => {
    let target, self, args, got;
    try {
      if ("h" in req) target = deref(req.h);
      else if (names.includes(req.n)) target = value(req.n);
      else throw new ReferenceError(String(req.n) + " is not defined by the solution");
      if (req.op === "get") {
        const v = target[req.attr];
        if (typeof v === "function" && !isClass(v)) return {m: 1};
        return {v: encode(v, handle)};
      }
      if (req.op === "set") {
        target[req.attr] = decode(req.v, deref);
        return {v: null};
      }
      self = undefined;
      if ("m" in req) {
        self = target;
        target = target[req.m];
      }
      args = decode(req.a || [], deref);
      if (req.op === "iter") got = Array.from(target).slice(0, MAX_ITEMS);
      else if (req.op === "new") got = new target(...args);
      else got = Reflect.apply(target, self, args);
    } catch (e) {
      if (e instanceof WireError) return {p: String(e.message)};
      return {x: failure(e)};
    }
    try {
      const changed = [];
      args.forEach((a, i) => {
        if (Array.isArray(a) || (a && typeof a === "object" &&
                                 Object.getPrototypeOf(a) === Object.prototype)) {
          changed.push([i, encode(a, handle)]);
        }
      });
      return {v: encode(got, handle), u: changed};
    } catch (e) {
      return {p: "returned " + (e instanceof WireError ? e.message : "a value that cannot " +
                                "cross")};
    }
  };
  for (;;) {
    const line = readLine();
    if (line === null || line === "DONE") break;
    let reply;
    try { reply = answer(JSON.parse(line)); } catch (e) { reply = {p: "bad request"}; }
    let text;
    try { text = JSON.stringify(reply); } catch (e) { text = '{"p":"a value that does not encode"}'; }
    send(text);
  }
  process.exit(0);
}

// -- the tests' process -------------------------------------------------------------------

class SolutionGone extends Error {}
class NotPlainData extends Error {}

// Names of the tests' module that are not properties of globalThis.
const MODULE_NAMES = ["module", "exports", "require", "__dirname", "__filename", "arguments",
                      "assert"];

// The first of the solution's names that would hide one of the tests' globals, or null.
function hiding(names) {
  for (const name of names) {
    if (name in globalThis || MODULE_NAMES.includes(name)) return name;
  }
  return null;
}

// console.assert that throws on a falsy condition (node's only prints).
function strictConsoleAssert() {
  const {AssertionError} = require("assert");
  const format = require("util").format;
  console.assert = function assert(ok, ...data) {
    if (ok) return;
    const message = data.length ? format(...data) : "console.assert failed";
    throw new AssertionError({message: message, actual: ok, expected: true,
                              operator: "console.assert"});
  };
}

// names: what the tests' module binds to the solution. One that would hide a global of
// this process refuses the sample here, after the relay's START and before any test runs.
function start(names) {
  const line = readLine();
  const hidden = hiding(names || []);
  if (hidden !== null) {
    send("REFUSE " + JSON.stringify("the solution declares " + hidden + ", which would hide " +
                                    "the tests' global " + hidden + "; rename it"));
    process.exit(1);
  }
  strictConsoleAssert();
  const manifest = line !== null && line.startsWith("START ") ? JSON.parse(line.slice(6)) : {};
  const entries = (manifest && manifest.names) || {};
  const classes = Object.create(null);
  const proxies = new Map();
  const blocked = new Set(["then", "valueOf", "toString", "toJSON", "toLocaleString",
                           "constructor", "__proto__", "prototype", "inspect"]);
  const noConversion = () => {
    throw new TypeError("an object of the solution cannot be converted or compared by " +
                        "value in the tests: read its data");
  };
  const ref = (obj) => {
    for (const [id, p] of proxies) if (p === obj) return {h: id};
    return null;
  };
  const makeProxy = (id, name) => {
    if (proxies.has(id)) return proxies.get(id);
    const local = classes[name] && classes[name].local;
    const target = Object.create(local ? local.prototype : Object.prototype);
    const p = new Proxy(target, {
      get(t, prop) {
        if (prop === Symbol.iterator) {
          return () => value(ask({op: "iter", h: id, a: []}).v)[Symbol.iterator]();
        }
        if (prop === Symbol.toPrimitive) return noConversion;
        if (typeof prop === "symbol") return undefined;
        if (prop === "valueOf" || prop === "toString" || prop === "toJSON") {
          return noConversion;
        }
        if (blocked.has(prop)) return prop === "constructor" && local ? local : undefined;
        return getAttr({h: id}, prop);
      },
      set(t, prop, v) {
        if (typeof prop === "symbol") return false;
        ask({op: "set", h: id, attr: prop, v: encode(v, ref)});
        return true;
      },
    });
    proxies.set(id, p);
    return p;
  };
  const value = (d) => {
    try { return decode(d, makeProxy); } catch (e) {
      throw new NotPlainData("the solution's reply did not decode: " + e.message);
    }
  };
  const raise = (x) => {
    if (x && "t" in x) return value(x.t);
    const name = String((x && x.n) || "Error");
    const mine = classes[name] && classes[name].error;
    let Base = Error;
    for (const b of (x && Array.isArray(x.b) ? x.b : [])) {
      if (ERRORS.includes(b)) { Base = globalThis[b]; break; }
    }
    const err = mine ? new mine(String(x.m)) : new Base(String((x && x.m) || ""));
    if (!mine) err.name = name;
    return err;
  };
  const ask = (req) => {  // the reply, once it is neither an error nor a refusal
    let reply;
    try {
      send("CALL " + JSON.stringify(req));
      const line = readLine();
      reply = line === null ? null : JSON.parse(line);
    } catch (e) {
      throw new SolutionGone("the link to the solution failed: " + e);
    }
    if (!reply || typeof reply !== "object") throw new SolutionGone("no answer");
    if ("d" in reply) throw new SolutionGone("the solution's process " + reply.d);
    if ("p" in reply) throw new NotPlainData("the solution " + reply.p);
    if ("x" in reply) throw raise(reply.x);
    return reply;
  };
  const call = (target, args, op) => {
    let encoded;
    try { encoded = encode(args, ref); } catch (e) {
      throw new NotPlainData("an argument that cannot go to the solution: " + e.message);
    }
    const reply = ask(Object.assign({op: op || "call", a: encoded}, target));
    for (const [i, after] of Array.isArray(reply.u) ? reply.u : []) {
      const a = args[i], now = value(after);
      if (Array.isArray(a) && Array.isArray(now)) a.splice(0, a.length, ...now);
      else if (a && typeof a === "object" && now && typeof now === "object") {
        for (const k of Object.keys(a)) delete a[k];
        Object.assign(a, now);
      }
    }
    return value(reply.v);
  };
  const getAttr = (target, attr) => {
    const reply = ask(Object.assign({op: "get", attr: attr}, target));
    if (reply.m === 1) return (...args) => call(Object.assign({m: attr}, target), args);
    return value(reply.v);
  };
  const makeClass = (name, isError) => {
    if (isError) {
      const E = {[name]: class extends Error {
        constructor(m) { super(m); this.name = name; }
      }}[name];
      classes[name] = {error: E};
      return E;
    }
    const local = {[name]: class {}}[name];
    classes[name] = {local: local};
    return new Proxy(local, {
      construct(t, args) { return call({n: name}, args, "new"); },
      apply() { throw new TypeError("Class constructor " + name + " cannot be invoked " +
                                    "without 'new'"); },
      get(t, prop) {
        if (prop === "prototype" || typeof prop === "symbol") return t[prop];
        if (prop === "name") return name;
        return getAttr({n: name}, prop);
      },
    });
  };
  const bound = Object.create(null);
  for (const name of Object.keys(entries)) {
    const e = entries[name] || {};
    if (e.k === "c") bound[name] = makeClass(name, !!e.e);
  }
  for (const name of Object.keys(entries)) {
    const e = entries[name] || {};
    if (e.k === "f") bound[name] = {[name]: (...args) => call({n: name}, args)}[name];
    else if (e.k === "v") {
      try { bound[name] = value(e.v); } catch (err) { bound[name] = undefined; }
    } else if (e.k === "o") {
      bound[name] = new Proxy({}, {get() {
        throw new NotPlainData(name + " is of type " + e.t + " in the solution: not plain " +
                               "data");
      }});
    }
  }
  return {
    bind: (name) => {
      if (Object.prototype.hasOwnProperty.call(bound, name)) return bound[name];
      return (...args) => {
        throw new ReferenceError(name + " is not defined by the solution");
      };
    },
    report: (...fields) => send(fields.join(" ")),
  };
}

return {serve: serve, start: start, encode: encode, decode: decode};
