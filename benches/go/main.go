// goro_go_bench — the Go twin of goro_bench: every workload of benches/workloads.hpp, named
// <workload>[/<param>]/go/workers:N with GOMAXPROCS = N (N = 1, 2, nproc), reported in Google Benchmark's JSON.
//
//	cd benches/go && GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local GO111MODULE=on \
//	  go build -o ../../build/release/benches/goro_go_bench .
package main

import (
	"runtime"
	"strconv"
)

type workload struct {
	name            string
	body            func(*State)
	singleIteration bool
}

// workloads is the table, in the order and with the names of benches/main.cpp.
var workloads = []workload{
	{"spawn_join", spawnJoin, false},
	{"yield_pingpong", yieldPingpong, false},
	{"chan_pingpong", chanPingpong, false},
	{"chan_prodcons/cap:0", chanProdcons(0), false},
	{"chan_prodcons/cap:1", chanProdcons(1), false},
	{"chan_prodcons/cap:128", chanProdcons(128), false},
	{"chan_mpmc/cap:128", chanMpmc(128), false},
	{"select2", select2, false},
	{"select2/cap:128", select2Cap(128), false},
	{"select_fanin/chans:8", selectFanin8, false},
	{"fanout_fanin", fanoutFanin, false},
	{"worker_pool", workerPool, false},
	{"mutex_contended", mutexContended(0, 0), false},
	{"mutex_contended/work_inside:16", mutexContended(16, 0), false},
	{"mutex_contended/work_outside:64", mutexContended(0, 64), false},
	{"sieve", sieve, false},
	{"skynet", skynet, false},
	{"parked_memory", parkedMemory, true},
}

func main() {
	var all []Benchmark
	for _, w := range append(append(workloads, openLoopWorkloads()...), fairnessWorkloads()...) {
		for _, n := range workerCounts(runtime.NumCPU()) {
			all = append(all, Benchmark{Name: w.name + "/go/workers:" + strconv.Itoa(n), Workers: n,
				Body: w.body, SingleIteration: w.singleIteration})
		}
	}
	runMain(all)
}

// workerCounts is {1, 2, nproc}, ascending, without duplicates (benches::worker_counts_for).
func workerCounts(nproc int) []int {
	if nproc <= 2 {
		return []int{1, 2}
	}
	return []int{1, 2, nproc}
}
