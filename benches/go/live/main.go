// goro_go_live — the Go twin of goro_live (benches/live_goroutines.cpp): start N goroutines
// that each signal a wait group and then block receiving from one channel, read the resident
// set while all N are parked, close the channel and join; print one JSON line.
//
//	goro_go_live --goroutines 1000000 --workers 2
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// phase is the process's CPU time at one point, so the line can split it by phase.
type phase struct{ wall, user, sys float64 }

func phaseNow(start time.Time) phase {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	seconds := func(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }
	return phase{time.Since(start).Seconds(), seconds(usage.Utime), seconds(usage.Stime)}
}

// phaseJSON is "name": {wall, user, sys} of the interval from `from` to `to`.
func phaseJSON(name string, from, to phase) string {
	return fmt.Sprintf("\"%s\": {\"wall\": %.4f, \"user\": %.4f, \"sys\": %.4f}", name, to.wall-from.wall,
		to.user-from.user, to.sys-from.sys)
}

// residentBytes is the current resident set, from /proc/self/statm (its second field, pages).
func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func main() {
	flags := flag.NewFlagSet("goro_go_live", flag.ContinueOnError)
	goroutines := flags.Int("goroutines", 1000000, "goroutines started, all alive at once")
	workers := flags.Int("workers", 2, "GOMAXPROCS")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: goro_go_live [--goroutines N] [--workers N]\n"+
			"  start N goroutines that all block on one channel, release them, join them;\n"+
			"  print one JSON line (seconds, parked RSS per goroutine). Exit: 0 ok, 2 usage.")
		flags.PrintDefaults()
	}
	if err := flags.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		os.Exit(2)
	}
	if *goroutines <= 0 || *workers <= 0 || flags.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "goro_go_live: --goroutines and --workers take positive integers, nothing else")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*workers)
	n := *goroutines
	start := time.Now()
	begin := phaseNow(start)
	gate := make(chan int)
	var started, finished sync.WaitGroup
	started.Add(n)
	finished.Add(n)
	before := residentBytes()
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-gate
			finished.Done()
		}()
	}
	started.Wait()
	parked := residentBytes()
	spawned := phaseNow(start)
	close(gate)
	finished.Wait()
	released := phaseNow(start)
	// Phases as goro_live's: spawn, release; teardown is the process's exit (not seen here).
	fmt.Printf("{\"backend\": \"go\", \"goroutines\": %d, \"workers\": %d, \"seconds\": %.4f, "+
		"\"parked_rss_bytes_per_goroutine\": %.1f, %s, %s, %s}\n", n, *workers, released.wall,
		float64(parked-before)/float64(n), phaseJSON("spawn", begin, spawned), phaseJSON("release", spawned, released),
		phaseJSON("teardown", released, released))
}
