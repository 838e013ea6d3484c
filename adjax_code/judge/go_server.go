// The candidate's side of an isolated Go test run (with go_wire.go): answers the tests'
// calls through a table of the solution's functions, method expressions and package-level
// values (adjax_code.judge.go_stubs.table); a panic crosses as its message. TAG is the run's
// random suffix.

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
