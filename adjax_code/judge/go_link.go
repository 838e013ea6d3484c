// The tests' side of an isolated Go test run (with go_wire.go): the stubs of the solution's
// functions and methods (adjax_code.judge.go_stubs) call adjaxCall, which sends the call
// through the harness, decodes the results into their declared types, re-panics a panic of
// the solution's, and writes back what the call changed in a slice, map or pointer argument.
// TAG is the run's random suffix.

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

// One call at a time on the link, whichever goroutine of the tests makes it.
var adjaxLock_TAG = make(chan struct{}, 1)

func adjaxCall_TAG(name string, args []interface{}, results ...interface{}) {
	adjaxLock_TAG <- struct{}{}
	defer func() { <-adjaxLock_TAG }()
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
