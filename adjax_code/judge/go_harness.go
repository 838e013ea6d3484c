// The harness side of an isolated Go test run (standard library only).
//
// adjax_code.judge.go_isolation reads this file as text, replaces every TAG with the run's
// random suffix, and puts the parts it needs into each program (package main): the wire
// codec in both, the server in the candidate's program, the link in the tests'. Each part
// lies between "// -- part NAME" lines; the imports of all parts are IMPORTS below. Values
// cross as one JSON line each over standard input (a socket the harness holds), encoded and
// decoded by reflection on the declared types: booleans, integers, floats (NaN, the
// infinities and -0 kept), strings, slices, arrays, maps, pointers and structs of them
// (every field, unexported ones included), and error values (by message).

// IMPORTS bufio encoding/json errors fmt math os reflect strconv strings unsafe

// -- part wire
var _ = bufio.NewReader
var _ = errors.New
var _ = fmt.Sprint
var _ = math.NaN
var _ = unsafe.Pointer(nil)

type adjaxWire_TAG struct{ m string }

const adjaxMaxDepth_TAG = 100
const adjaxMaxItems_TAG = 100000

var adjaxErrorType_TAG = reflect.TypeOf((*error)(nil)).Elem()

func adjaxWireFail_TAG(m string) { panic(adjaxWire_TAG{m}) }

func adjaxEnc_TAG(v reflect.Value, depth int) interface{} {
	if depth > adjaxMaxDepth_TAG {
		adjaxWireFail_TAG("nested more than 100 deep")
	}
	switch v.Kind() {
	case reflect.Invalid:
		return nil
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		switch {
		case math.IsNaN(f):
			return map[string]interface{}{"f": "NaN"}
		case math.IsInf(f, 1):
			return map[string]interface{}{"f": "Infinity"}
		case math.IsInf(f, -1):
			return map[string]interface{}{"f": "-Infinity"}
		}
		s := strconv.FormatFloat(f, 'g', -1, v.Type().Bits())
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return json.Number(s)
	case reflect.String:
		return v.String()
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return nil
		}
		if v.Len() > adjaxMaxItems_TAG {
			adjaxWireFail_TAG("more than 100000 items")
		}
		out := make([]interface{}, v.Len())
		for i := range out {
			out[i] = adjaxEnc_TAG(v.Index(i), depth+1)
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		if v.Len() > adjaxMaxItems_TAG {
			adjaxWireFail_TAG("more than 100000 items")
		}
		out := make([]interface{}, 0, v.Len())
		it := v.MapRange()
		for it.Next() {
			out = append(out, []interface{}{adjaxEnc_TAG(it.Key(), depth+2),
				adjaxEnc_TAG(it.Value(), depth+2)})
		}
		return out
	case reflect.Ptr:
		if v.IsNil() {
			return nil
		}
		return adjaxEnc_TAG(v.Elem(), depth+1)
	case reflect.Struct:
		out := map[string]interface{}{}
		for i := 0; i < v.NumField(); i++ {
			out[v.Type().Field(i).Name] = adjaxEnc_TAG(v.Field(i), depth+1)
		}
		return out
	case reflect.Interface:
		if v.IsNil() {
			return nil
		}
		if v.Type() == adjaxErrorType_TAG && v.CanInterface() {
			return map[string]interface{}{"e": v.Interface().(error).Error()}
		}
	}
	adjaxWireFail_TAG("not plain data: " + v.Type().String())
	return nil
}

func adjaxDec_TAG(d interface{}, t reflect.Type) reflect.Value {
	out := reflect.New(t).Elem()
	adjaxFill_TAG(out, d, 0)
	return out
}

func adjaxFill_TAG(out reflect.Value, d interface{}, depth int) {
	if depth > adjaxMaxDepth_TAG {
		adjaxWireFail_TAG("nested more than 100 deep")
	}
	if !out.CanSet() {
		out = reflect.NewAt(out.Type(), unsafe.Pointer(out.UnsafeAddr())).Elem()
	}
	bad := func() { adjaxWireFail_TAG("not a value of type " + out.Type().String()) }
	switch out.Kind() {
	case reflect.Bool:
		b, ok := d.(bool)
		if !ok {
			bad()
		}
		out.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := d.(json.Number)
		i, err := strconv.ParseInt(string(n), 10, out.Type().Bits())
		if !ok || err != nil {
			bad()
		}
		out.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := d.(json.Number)
		i, err := strconv.ParseUint(string(n), 10, out.Type().Bits())
		if !ok || err != nil {
			bad()
		}
		out.SetUint(i)
	case reflect.Float32, reflect.Float64:
		if m, ok := d.(map[string]interface{}); ok {
			switch m["f"] {
			case "NaN":
				out.SetFloat(math.NaN())
			case "Infinity":
				out.SetFloat(math.Inf(1))
			case "-Infinity":
				out.SetFloat(math.Inf(-1))
			default:
				bad()
			}
			return
		}
		n, ok := d.(json.Number)
		f, err := strconv.ParseFloat(string(n), out.Type().Bits())
		if !ok || err != nil {
			bad()
		}
		out.SetFloat(f)
	case reflect.String:
		s, ok := d.(string)
		if !ok {
			bad()
		}
		out.SetString(s)
	case reflect.Slice, reflect.Array:
		if d == nil && out.Kind() == reflect.Slice {
			return
		}
		xs, ok := d.([]interface{})
		if !ok || out.Kind() == reflect.Array && len(xs) != out.Len() {
			bad()
		}
		if out.Kind() == reflect.Slice {
			out.Set(reflect.MakeSlice(out.Type(), len(xs), len(xs)))
		}
		for i, x := range xs {
			adjaxFill_TAG(out.Index(i), x, depth+1)
		}
	case reflect.Map:
		if d == nil {
			return
		}
		xs, ok := d.([]interface{})
		if !ok {
			bad()
		}
		m := reflect.MakeMapWithSize(out.Type(), len(xs))
		for _, x := range xs {
			pair, ok := x.([]interface{})
			if !ok || len(pair) != 2 {
				bad()
			}
			k := reflect.New(out.Type().Key()).Elem()
			adjaxFill_TAG(k, pair[0], depth+2)
			v := reflect.New(out.Type().Elem()).Elem()
			adjaxFill_TAG(v, pair[1], depth+2)
			m.SetMapIndex(k, v)
		}
		out.Set(m)
	case reflect.Ptr:
		if d == nil {
			return
		}
		p := reflect.New(out.Type().Elem())
		adjaxFill_TAG(p.Elem(), d, depth+1)
		out.Set(p)
	case reflect.Struct:
		m, ok := d.(map[string]interface{})
		if !ok {
			bad()
		}
		for i := 0; i < out.NumField(); i++ {
			if x, ok := m[out.Type().Field(i).Name]; ok {
				adjaxFill_TAG(out.Field(i), x, depth+1)
			}
		}
	case reflect.Interface:
		if out.Type() != adjaxErrorType_TAG {
			bad()
		}
		if d == nil {
			return
		}
		m, ok := d.(map[string]interface{})
		s, ok2 := m["e"].(string)
		if !ok || !ok2 {
			bad()
		}
		out.Set(reflect.ValueOf(errors.New(s)))
	default:
		bad()
	}
}

func adjaxJSON_TAG(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		adjaxWireFail_TAG("a value that does not encode")
	}
	return string(b)
}

func adjaxParse_TAG(line string) (interface{}, bool) {
	var v interface{}
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

var adjaxIn_TAG = bufio.NewReaderSize(os.Stdin, 1<<16)

func adjaxRead_TAG() (string, bool) {
	line, err := adjaxIn_TAG.ReadString('\n')
	if err != nil {
		return "", false
	}
	return strings.TrimSuffix(line, "\n"), true
}

func adjaxSend_TAG(line string) bool {
	_, err := os.Stdin.Write([]byte(line + "\n"))
	return err == nil
}

// -- part server
func adjaxServe_TAG(table map[string]interface{}) {
	adjaxSend_TAG(`READY {"names":{}}`)
	for {
		line, ok := adjaxRead_TAG()
		if !ok || line == "DONE" {
			break
		}
		reply := adjaxAnswer_TAG(table, line)
		b, err := json.Marshal(reply)
		if err != nil {
			b = []byte(`{"p":"a reply that does not encode"}`)
		}
		adjaxSend_TAG(string(b))
	}
	os.Exit(0)
}

func adjaxAnswer_TAG(table map[string]interface{}, line string) (reply map[string]interface{}) {
	defer func() {
		if r := recover(); r != nil {
			if w, ok := r.(adjaxWire_TAG); ok {
				reply = map[string]interface{}{"p": w.m}
			} else {
				reply = map[string]interface{}{"p": "bad request"}
			}
		}
	}()
	parsed, ok := adjaxParse_TAG(line)
	req, ok2 := parsed.(map[string]interface{})
	if !ok || !ok2 {
		return map[string]interface{}{"p": "bad request"}
	}
	name, _ := req["n"].(string)
	fn, ok := table[name]
	if !ok {
		return map[string]interface{}{"p": "has no " + name}
	}
	f := reflect.ValueOf(fn)
	raw, _ := req["a"].([]interface{})
	if len(raw) != f.Type().NumIn() {
		return map[string]interface{}{"p": "bad request"}
	}
	args := make([]reflect.Value, len(raw))
	before := make([]string, len(raw))
	for i := range raw {
		args[i] = adjaxDec_TAG(raw[i], f.Type().In(i))
		switch args[i].Kind() {
		case reflect.Slice, reflect.Map, reflect.Ptr:
			before[i] = adjaxJSON_TAG(adjaxEnc_TAG(args[i], 0))
		}
	}
	results, failure := adjaxInvoke_TAG(f, args)
	if failure != nil {
		return map[string]interface{}{"x": failure}
	}
	defer func() {
		if r := recover(); r != nil {
			m := "a value that cannot cross"
			if w, ok := r.(adjaxWire_TAG); ok {
				m = w.m
			}
			reply = map[string]interface{}{"p": "returned " + m}
		}
	}()
	out := make([]interface{}, len(results))
	for i, r := range results {
		out[i] = adjaxEnc_TAG(r, 0)
	}
	changed := []interface{}{}
	for i, b := range before {
		if b == "" {
			continue
		}
		now := adjaxEnc_TAG(args[i], 0)
		if adjaxJSON_TAG(now) != b {
			changed = append(changed, []interface{}{json.Number(strconv.Itoa(i)), now})
		}
	}
	return map[string]interface{}{"v": out, "u": changed}
}

func adjaxInvoke_TAG(f reflect.Value, args []reflect.Value) (out []reflect.Value,
	failure map[string]interface{}) {
	defer func() {
		if r := recover(); r != nil {
			kind, msg := "value", ""
			switch x := r.(type) {
			case string:
				kind, msg = "string", x
			case error:
				kind, msg = "error", x.Error()
			default:
				msg = fmt.Sprint(r)
			}
			if len(msg) > 1000 {
				msg = msg[:1000]
			}
			failure = map[string]interface{}{"k": kind, "m": msg}
		}
	}()
	if f.Type().IsVariadic() {
		return f.CallSlice(args), nil
	}
	return f.Call(args), nil
}

// -- part link
func adjaxDie_TAG(why string) {
	fmt.Fprintln(os.Stderr, "adjax: "+why)
	os.Exit(3)
}

func adjaxStart_TAG() {
	if _, ok := adjaxRead_TAG(); !ok {
		adjaxDie_TAG("the harness did not start the tests")
	}
}

func adjaxReport_TAG(line string) {
	adjaxSend_TAG(line)
}

func adjaxNotPlain_TAG(what string) {
	panic(errors.New("NotPlainData: " + what))
}

func adjaxCall_TAG(name string, args []interface{}, results ...interface{}) {
	encoded := make([]interface{}, len(args))
	func() {
		defer func() {
			if r := recover(); r != nil {
				w, ok := r.(adjaxWire_TAG)
				if !ok {
					panic(r)
				}
				adjaxNotPlain_TAG("an argument that cannot go to the solution: " + w.m)
			}
		}()
		for i, a := range args {
			encoded[i] = adjaxEnc_TAG(reflect.ValueOf(a), 0)
		}
	}()
	req, err := json.Marshal(map[string]interface{}{"n": name, "a": encoded})
	if err != nil || !adjaxSend_TAG("CALL "+string(req)) {
		adjaxDie_TAG("the link to the solution failed")
	}
	line, ok := adjaxRead_TAG()
	parsed, ok2 := adjaxParse_TAG(line)
	reply, ok3 := parsed.(map[string]interface{})
	if !ok || !ok2 || !ok3 {
		adjaxDie_TAG("the link to the solution failed")
	}
	if d, ok := reply["d"]; ok {
		adjaxDie_TAG(fmt.Sprint("the solution's process ", d))
	}
	if p, ok := reply["p"]; ok {
		adjaxNotPlain_TAG(fmt.Sprint("the solution ", p))
	}
	if x, ok := reply["x"].(map[string]interface{}); ok {
		msg, _ := x["m"].(string)
		if x["k"] == "string" {
			panic(msg)
		}
		panic(errors.New(msg))
	}
	defer func() {
		if r := recover(); r != nil {
			w, ok := r.(adjaxWire_TAG)
			if !ok {
				panic(r)
			}
			adjaxNotPlain_TAG("the solution returned " + w.m)
		}
	}()
	changed, _ := reply["u"].([]interface{})
	for _, u := range changed {
		pair, ok := u.([]interface{})
		if !ok || len(pair) != 2 {
			adjaxWireFail_TAG("a malformed reply")
		}
		n, _ := pair[0].(json.Number)
		i, err := strconv.Atoi(string(n))
		if err != nil || i < 0 || i >= len(args) {
			adjaxWireFail_TAG("a malformed reply")
		}
		a := reflect.ValueOf(args[i])
		now := adjaxDec_TAG(pair[1], a.Type())
		switch a.Kind() {
		case reflect.Slice:
			reflect.Copy(a, now)
		case reflect.Map:
			if a.IsNil() {
				continue
			}
			for _, k := range a.MapKeys() {
				a.SetMapIndex(k, reflect.Value{})
			}
			it := now.MapRange()
			for it.Next() {
				a.SetMapIndex(it.Key(), it.Value())
			}
		case reflect.Ptr:
			if !a.IsNil() && !now.IsNil() {
				a.Elem().Set(now.Elem())
			}
		}
	}
	values, _ := reply["v"].([]interface{})
	if len(values) != len(results) {
		adjaxWireFail_TAG("a malformed reply")
	}
	for i, r := range results {
		target := reflect.ValueOf(r).Elem()
		target.Set(adjaxDec_TAG(values[i], target.Type()))
	}
}
