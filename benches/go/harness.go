// harness.go — a small imitation of Google Benchmark 1.7.1 for the Go twin: the same flags,
// the same iteration-count growth, the same JSON schema, so the reports read both binaries'
// output with one parser. Only the standard library is used.
package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// State is what a workload sees: N iterations to run between StartTimer and StopTimer, and
// ways to report items, counters and errors (Google Benchmark's benchmark::State).
type State struct {
	N        int
	Workers  int
	started  time.Time
	startCPU time.Duration
	realTime time.Duration
	cpuTime  time.Duration
	timing   bool
	items    int64
	counters []counter
	errMsg   string
	// wake-up latency (schedlatency.go): the timed region's share of /sched/latencies:seconds
	wakeBefore  *metrics.Float64Histogram
	wakeCounts  []uint64
	wakeBuckets []float64
}

type counter struct {
	name          string
	value         float64
	avgIterations bool // Google Benchmark's Counter::kAvgIterations: divided by iterations
}

// processCPU is the CPU time of the whole process (every thread), like MeasureProcessCPUTime().
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// StartTimer begins the timed region (Google Benchmark: the first pass of `for (auto _ : state)`).
func (s *State) StartTimer() {
	s.timing = true
	s.wakeBefore = schedLatencySnapshot()
	s.startCPU = processCPU()
	s.started = time.Now()
}

// StopTimer ends the timed region (Google Benchmark: the loop's end).
func (s *State) StopTimer() {
	if !s.timing {
		return
	}
	s.realTime += time.Since(s.started)
	s.cpuTime += processCPU() - s.startCPU
	s.timing = false
	if after := schedLatencySnapshot(); after != nil {
		schedLatencyAdd(&s.wakeCounts, s.wakeBefore, after)
		s.wakeBuckets = after.Buckets
	}
}

// SkipWithError marks the run as failed; the first message wins, as in Google Benchmark.
func (s *State) SkipWithError(msg string) {
	if s.errMsg == "" {
		s.errMsg = msg
	}
}

func (s *State) SetItemsProcessed(n int64) { s.items = n }

// Counter adds a user counter; avg divides it by the iteration count (kAvgIterations).
func (s *State) Counter(name string, value float64, avg bool) {
	s.counters = append(s.counters, counter{name, value, avg})
}

// Benchmark is one registered entry: name, body, and whether it runs exactly one iteration.
type Benchmark struct {
	Name            string
	Workers         int
	Body            func(*State)
	SingleIteration bool
}

type flags struct {
	filter            string
	repetitions       int
	minTime           float64
	out               string
	outFormat         string
	format            string
	listTests         bool
	aggregatesOnly    bool
	displayAggregates bool
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `goro_go_bench — the Go twin of goro_bench (Google Benchmark-compatible flags)
  --benchmark_filter=REGEX                 run benchmarks whose name matches (leading '-' negates)
  --benchmark_repetitions=N                repeat each benchmark N times (aggregates when N > 1)
  --benchmark_min_time=SECONDS             minimum timed seconds per benchmark (default 0.5)
  --benchmark_out=FILE                     also write results to FILE
  --benchmark_out_format=json|console      format of FILE (default json)
  --benchmark_format=json|console          format of standard output (default console)
  --benchmark_list_tests=true              list the matching names and exit
  --benchmark_report_aggregates_only=BOOL  report only aggregates when repeating
  --benchmark_display_aggregates_only=BOOL display only aggregates when repeating
  --benchmark_enable_random_interleaving=BOOL  accepted; runs keep their order`)
}

func parseBool(name, v string) bool {
	switch strings.ToLower(v) {
	case "", "true", "1", "yes", "t", "y":
		return true
	case "false", "0", "no", "f", "n":
		return false
	}
	fatalUsage(fmt.Sprintf("invalid value %q for --%s (want true or false)", v, name))
	return false
}

func fatalUsage(msg string) {
	fmt.Fprintf(os.Stderr, "goro_go_bench: %s\n", msg)
	usage(os.Stderr)
	os.Exit(2)
}

func parseFlags(args []string) flags {
	f := flags{filter: ".", repetitions: 1, minTime: 0.5, outFormat: "json", format: "console"}
	for _, arg := range args {
		if arg == "--help" || arg == "-h" {
			usage(os.Stdout)
			os.Exit(0)
		}
		if !strings.HasPrefix(arg, "-") {
			fatalUsage(fmt.Sprintf("unexpected argument %q", arg))
		}
		body := strings.TrimLeft(arg, "-")
		name, value, hasValue := strings.Cut(body, "=")
		needValue := func() string {
			if !hasValue {
				fatalUsage(fmt.Sprintf("--%s needs a value", name))
			}
			return value
		}
		switch name {
		case "benchmark_filter":
			f.filter = needValue()
		case "benchmark_repetitions":
			n, err := strconv.Atoi(needValue())
			if err != nil || n < 1 {
				fatalUsage(fmt.Sprintf("invalid --benchmark_repetitions=%s", value))
			}
			f.repetitions = n
		case "benchmark_min_time":
			v, err := strconv.ParseFloat(strings.TrimSuffix(needValue(), "s"), 64)
			if err != nil || v < 0 {
				fatalUsage(fmt.Sprintf("invalid --benchmark_min_time=%s", value))
			}
			f.minTime = v
		case "benchmark_out":
			f.out = needValue()
		case "benchmark_out_format":
			f.outFormat = needValue()
		case "benchmark_format":
			f.format = needValue()
		case "benchmark_list_tests":
			f.listTests = parseBool(name, value)
		case "benchmark_enable_random_interleaving":
			parseBool(name, value) // accepted; the twin runs benchmarks in registration order
		case "benchmark_report_aggregates_only":
			f.aggregatesOnly = parseBool(name, value)
		case "benchmark_display_aggregates_only":
			f.displayAggregates = parseBool(name, value)
		default:
			fatalUsage(fmt.Sprintf("unknown flag %q", arg))
		}
	}
	for _, format := range []string{f.format, f.outFormat} {
		if format != "json" && format != "console" {
			fatalUsage(fmt.Sprintf("unknown output format %q (json or console)", format))
		}
	}
	return f
}

// filterBenchmarks keeps the benchmarks whose name matches the regex (leading '-' negates), as
// Google Benchmark does (POSIX extended syntax there; Go's RE2 agrees on what we use).
func filterBenchmarks(all []Benchmark, spec string) []Benchmark {
	negate := false
	if spec == "" || spec == "all" {
		spec = "."
	}
	if strings.HasPrefix(spec, "-") {
		negate = true
		spec = spec[1:]
	}
	re, err := regexp.Compile(spec)
	if err != nil {
		fmt.Fprintf(os.Stderr, "goro_go_bench: could not compile benchmark re: %v\n", err)
		os.Exit(1)
	}
	var out []Benchmark
	for _, b := range all {
		if re.MatchString(b.Name) != negate {
			out = append(out, b)
		}
	}
	return out
}

// result is one reported entry (an iteration run or an aggregate).
type result struct {
	name, runName, runType       string
	familyIndex, repetitions     int
	repetitionIndex              int
	aggregateName, aggregateUnit string
	iterations                   int64
	realTime, cpuTime            float64 // ns per iteration
	counters                     []counter
	errMsg                       string
}

const maxIterations = 1000000000

// runOnce runs b for iters iterations on a fresh State with GOMAXPROCS = workers.
func runOnce(b Benchmark, iters int) *State {
	runtime.GOMAXPROCS(b.Workers)
	runtime.GC()
	s := &State{N: iters, Workers: b.Workers}
	b.Body(s)
	s.StopTimer()
	return s
}

// measure mimics BenchmarkRunner::DoOneRepetition of Google Benchmark 1.7.1: run with 1
// iteration, then grow by min_time*1.4/elapsed (×10 while the run is under 10% of min_time)
// until a run lasts min_time; that last run is the result. Later repetitions reuse the count.
func measure(b Benchmark, minTime float64, iters *int) *State {
	if b.SingleIteration {
		return runOnce(b, 1)
	}
	if *iters > 0 {
		return runOnce(b, *iters)
	}
	n := 1
	for {
		s := runOnce(b, n)
		seconds := s.realTime.Seconds()
		if s.errMsg != "" || seconds >= minTime || n >= maxIterations {
			*iters = n
			return s
		}
		multiplier := minTime * 1.4 / math.Max(seconds, 1e-9)
		if seconds/minTime <= 0.1 {
			multiplier = 10
		}
		next := math.Max(multiplier*float64(n), float64(n)+1)
		n = int(math.Min(next, maxIterations))
	}
}

func toResult(b Benchmark, family, reps, rep int, s *State) result {
	r := result{name: b.Name, runName: b.Name, runType: "iteration", familyIndex: family, repetitions: reps,
		repetitionIndex: rep, iterations: int64(s.N)}
	if s.errMsg != "" {
		r.errMsg = s.errMsg
		r.iterations = 0
		return r
	}
	r.realTime = float64(s.realTime.Nanoseconds()) / float64(s.N)
	r.cpuTime = float64(s.cpuTime.Nanoseconds()) / float64(s.N)
	if s.items > 0 {
		r.counters = append(r.counters, counter{"items_per_second", float64(s.items) / s.realTime.Seconds(), false})
	}
	// cpu_wall: process CPU time (user + system, every thread) over wall time; > 1 is parallel
	// work or spinning (bench_main.cpp adds the same counter to the C++ rows).
	if s.realTime > 0 {
		r.counters = append(r.counters, counter{"cpu_wall", float64(s.cpuTime) / float64(s.realTime), false})
	}
	if s.wakeCounts != nil {
		for _, p := range []struct {
			name string
			q    float64
		}{{"wake_p50_ns", 0.5}, {"wake_p99_ns", 0.99}, {"wake_p999_ns", 0.999}} {
			r.counters = append(r.counters, counter{p.name, schedLatencyPercentile(s.wakeCounts, s.wakeBuckets, p.q), false})
		}
	}
	for _, c := range s.counters {
		v := c.value
		if c.avgIterations {
			v /= float64(s.N)
		}
		r.counters = append(r.counters, counter{c.name, v, false})
	}
	sort.SliceStable(r.counters, func(i, j int) bool { return r.counters[i].name < r.counters[j].name })
	return r
}

// aggregates computes mean, median, stddev and cv like Google Benchmark's ComputeStats.
func aggregates(runs []result) []result {
	if len(runs) < 2 {
		return nil
	}
	for _, r := range runs {
		if r.errMsg != "" {
			return nil
		}
	}
	column := func(get func(result) float64) []float64 {
		var v []float64
		for _, r := range runs {
			v = append(v, get(r))
		}
		return v
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	median := func(v []float64) float64 {
		c := append([]float64(nil), v...)
		sort.Float64s(c)
		n := len(c)
		if n%2 == 1 {
			return c[n/2]
		}
		return (c[n/2-1] + c[n/2]) / 2
	}
	stddev := func(v []float64) float64 {
		m := mean(v)
		s := 0.0
		for _, x := range v {
			s += (x - m) * (x - m)
		}
		return math.Sqrt(s / float64(len(v)-1))
	}
	cv := func(v []float64) float64 {
		m := mean(v)
		if m == 0 {
			return 0
		}
		return stddev(v) / m
	}
	type stat struct {
		name, unit string
		f          func([]float64) float64
	}
	stats := []stat{{"mean", "time", mean}, {"median", "time", median}, {"stddev", "time", stddev}, {"cv", "percentage", cv}}
	first := runs[0]
	var out []result
	for _, st := range stats {
		a := result{name: first.runName + "_" + st.name, runName: first.runName, runType: "aggregate",
			familyIndex: first.familyIndex, repetitions: first.repetitions, aggregateName: st.name,
			aggregateUnit: st.unit, iterations: int64(len(runs))}
		a.realTime = st.f(column(func(r result) float64 { return r.realTime }))
		a.cpuTime = st.f(column(func(r result) float64 { return r.cpuTime }))
		for i, c := range first.counters {
			idx := i
			a.counters = append(a.counters, counter{c.name, st.f(column(func(r result) float64 { return r.counters[idx].value })), false})
		}
		out = append(out, a)
	}
	return out
}

func jsonString(s string) string { return strconv.Quote(s) }

func jsonFloat(v float64) string { return strconv.FormatFloat(v, 'e', 16, 64) }

func mhzPerCPU() int {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "cpu MHz") {
			if _, v, ok := strings.Cut(line, ":"); ok {
				mhz, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
				return int(mhz + 0.5)
			}
		}
	}
	return 0
}

func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "[]"
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return "[]"
	}
	return "[" + strings.Join(fields[:3], ",") + "]"
}

func commit() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
	}
	return "unknown"
}

func writeJSONContext(w io.Writer) {
	host, _ := os.Hostname()
	fmt.Fprintf(w, "{\n  \"context\": {\n")
	fmt.Fprintf(w, "    \"date\": %s,\n", jsonString(time.Now().Format("2006-01-02T15:04:05-07:00")))
	fmt.Fprintf(w, "    \"host_name\": %s,\n", jsonString(host))
	fmt.Fprintf(w, "    \"executable\": %s,\n", jsonString(os.Args[0]))
	fmt.Fprintf(w, "    \"num_cpus\": %d,\n", runtime.NumCPU())
	fmt.Fprintf(w, "    \"mhz_per_cpu\": %d,\n", mhzPerCPU())
	fmt.Fprintf(w, "    \"cpu_scaling_enabled\": false,\n")
	fmt.Fprintf(w, "    \"caches\": [],\n")
	fmt.Fprintf(w, "    \"load_avg\": %s,\n", loadAvg())
	fmt.Fprintf(w, "    \"library_build_type\": \"release\",\n")
	fmt.Fprintf(w, "    \"go_version\": %s,\n", jsonString(runtime.Version()))
	fmt.Fprintf(w, "    \"goro_commit\": %s,\n", jsonString(commit()))
	fmt.Fprintf(w, "    \"nproc\": %s,\n", jsonString(strconv.Itoa(runtime.NumCPU())))
	fmt.Fprintf(w, "    \"suite\": \"goro_go_bench\"\n")
	fmt.Fprintf(w, "  },\n  \"benchmarks\": [\n")
}

func writeJSONResult(w io.Writer, r result, first bool) {
	if !first {
		fmt.Fprintf(w, ",\n")
	}
	var b strings.Builder
	field := func(k, v string) { fmt.Fprintf(&b, ",\n      %s: %s", jsonString(k), v) }
	fmt.Fprintf(&b, "    {\n      \"name\": %s", jsonString(r.name))
	field("family_index", strconv.Itoa(r.familyIndex))
	field("per_family_instance_index", "0")
	field("run_name", jsonString(r.runName))
	field("run_type", jsonString(r.runType))
	field("repetitions", strconv.Itoa(r.repetitions))
	if r.runType == "iteration" {
		field("repetition_index", strconv.Itoa(r.repetitionIndex))
	}
	field("threads", "1")
	if r.runType == "aggregate" {
		field("aggregate_name", jsonString(r.aggregateName))
		field("aggregate_unit", jsonString(r.aggregateUnit))
	}
	if r.errMsg != "" {
		field("error_occurred", "true")
		field("error_message", jsonString(r.errMsg))
	}
	field("iterations", strconv.FormatInt(r.iterations, 10))
	field("real_time", jsonFloat(r.realTime))
	field("cpu_time", jsonFloat(r.cpuTime))
	field("time_unit", "\"ns\"")
	for _, c := range r.counters {
		field(c.name, jsonFloat(c.value))
	}
	fmt.Fprintf(&b, "\n    }")
	io.WriteString(w, b.String())
}

func writeJSONEnd(w io.Writer) { fmt.Fprintf(w, "\n  ]\n}\n") }

func humanCount(v float64) string {
	switch {
	case math.Abs(v) >= 1e9:
		return fmt.Sprintf("%.5gG", v/1e9)
	case math.Abs(v) >= 1e6:
		return fmt.Sprintf("%.5gM", v/1e6)
	case math.Abs(v) >= 1e3:
		return fmt.Sprintf("%.5gk", v/1e3)
	}
	return fmt.Sprintf("%.5g", v)
}

func writeConsoleResult(w io.Writer, r result) {
	if r.errMsg != "" {
		fmt.Fprintf(w, "%-60s ERROR OCCURRED: '%s'\n", r.name, r.errMsg)
		return
	}
	unit := " ns"
	if r.aggregateUnit == "percentage" {
		fmt.Fprintf(w, "%-60s %13.2f %% %13.2f %%", r.name, r.realTime*100, r.cpuTime*100)
	} else {
		fmt.Fprintf(w, "%-60s %13.4g%s %13.4g%s %12d", r.name, r.realTime, unit, r.cpuTime, unit, r.iterations)
	}
	for _, c := range r.counters {
		fmt.Fprintf(w, " %s=%s", c.name, humanCount(c.value))
	}
	fmt.Fprintln(w)
}

// reporter writes one stream in one format; JSON entries are streamed as they finish.
type reporter struct {
	w        io.Writer
	json     bool
	first    bool
	aggsOnly bool
}

func (r *reporter) begin() {
	if r.json {
		writeJSONContext(r.w)
		return
	}
	fmt.Fprintf(r.w, "%s\nRunning %s\nRun on (%d X %d MHz CPU s)\nLoad Average: %s\ngo_version: %s\n",
		time.Now().Format("2006-01-02T15:04:05-07:00"), os.Args[0], runtime.NumCPU(), mhzPerCPU(), loadAvg(), runtime.Version())
	fmt.Fprintf(r.w, "%s\n%-60s %16s %16s %12s\n%s\n", strings.Repeat("-", 110), "Benchmark", "Time", "CPU", "Iterations", strings.Repeat("-", 110))
}

func (r *reporter) report(runs, aggs []result) {
	var all []result
	if !r.aggsOnly || len(aggs) == 0 {
		all = append(all, runs...)
	}
	all = append(all, aggs...)
	for _, res := range all {
		if r.json {
			writeJSONResult(r.w, res, r.first)
			r.first = false
		} else {
			writeConsoleResult(r.w, res)
		}
	}
	if f, ok := r.w.(*os.File); ok {
		f.Sync()
	}
}

func (r *reporter) end() {
	if r.json {
		writeJSONEnd(r.w)
	}
}

func runMain(all []Benchmark) {
	f := parseFlags(os.Args[1:])
	selected := filterBenchmarks(all, f.filter)
	if f.listTests {
		for _, b := range selected {
			fmt.Println(b.Name)
		}
		return
	}
	if len(selected) == 0 {
		fmt.Fprintf(os.Stderr, "Failed to match any benchmarks against regex: %s\n", f.filter)
		return
	}
	reporters := []*reporter{{w: os.Stdout, json: f.format == "json", first: true, aggsOnly: f.aggregatesOnly || f.displayAggregates}}
	if f.out != "" {
		file, err := os.Create(f.out)
		if err != nil {
			fmt.Fprintf(os.Stderr, "goro_go_bench: invalid file name: %q: %v\n", f.out, err)
			os.Exit(1)
		}
		defer file.Close()
		reporters = append(reporters, &reporter{w: file, json: f.outFormat == "json", first: true, aggsOnly: f.aggregatesOnly})
	}
	for _, r := range reporters {
		r.begin()
	}
	for family, b := range selected {
		var runs []result
		iters := 0
		for rep := 0; rep < f.repetitions; rep++ {
			s := measure(b, f.minTime, &iters)
			runs = append(runs, toResult(b, family, f.repetitions, rep, s))
		}
		aggs := aggregates(runs)
		for _, r := range reporters {
			r.report(runs, aggs)
		}
	}
	for _, r := range reporters {
		r.end()
	}
}
