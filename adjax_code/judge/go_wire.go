// Plain data between a Go candidate and its tests (standard library only), in both
// programs (package main) with every TAG replaced by the run's random suffix
// (adjax_code.judge.go_isolation). Values cross as one JSON line each over standard input
// (a socket the harness holds), encoded and decoded by reflection on the declared types:
// booleans, integers, floats (NaN, the infinities and -0 kept), strings, slices (nil kept
// apart from empty), arrays, maps, pointers and structs of them (every field, unexported
// ones included), and error values (by message).

// IMPORTS bufio encoding/json errors fmt math os reflect sort strconv strings unsafe

var _ = bufio.NewReader
var _ = errors.New
var _ = fmt.Sprint
var _ = math.NaN
var _ = unsafe.Pointer(nil)
var _ = sort.Strings

// The program's package-level error variables (sentinels such as ErrEmpty), by name: an error
// that is one of them crosses as its name, one that wraps one of them (errors.Is) as its
// message and that name, so that err == ErrEmpty and errors.Is(err, ErrEmpty) hold in the
// tests as they did in the solution.
var adjaxSentinels_TAG map[string]*error

type adjaxWrapped_TAG struct {
	m    string
	base error
}

func (e adjaxWrapped_TAG) Error() string { return e.m }
func (e adjaxWrapped_TAG) Unwrap() error { return e.base }

func adjaxEncError_TAG(e error) interface{} {
	out := map[string]interface{}{"e": e.Error()}
	names := make([]string, 0, len(adjaxSentinels_TAG))
	for name := range adjaxSentinels_TAG {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		base := *adjaxSentinels_TAG[name]
		if base != nil && errors.Is(e, base) {
			out["s"] = name
			if reflect.TypeOf(e).Comparable() && reflect.TypeOf(base).Comparable() && e == base {
				out["x"] = true
			}
			break
		}
	}
	return out
}

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
			return adjaxEncError_TAG(v.Interface().(error))
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
		name, _ := m["s"].(string)
		if p, known := adjaxSentinels_TAG[name]; known && *p != nil {
			if m["x"] == true {
				out.Set(reflect.ValueOf(p).Elem())
			} else {
				out.Set(reflect.ValueOf(adjaxWrapped_TAG{s, *p}))
			}
			return
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
