// openloop.go — the Go twin of benches/openloop.hpp: the open-loop load–latency workload, with
// the same schedule (splitmix64 seeded by the point's name), the same service-time
// distributions, the same dispatcher (release what is due, then runtime.Gosched()), the same
// warm-up cut and the same counters. benches/openloop.hpp states the rules.
package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"
)

var openLoopLoads = []int{10, 30, 50, 70, 80, 90, 95}

const (
	expMeanNs        = 10000.0
	bimodalShortNs   = 5000.0
	bimodalLongNs    = 500000.0
	bimodalLongShare = 0.005
	sloFactor        = 10.0
	reachedShare     = 0.97
)

func meanServiceNs(bimodal bool) float64 {
	if !bimodal {
		return expMeanNs
	}
	return (1-bimodalLongShare)*bimodalShortNs + bimodalLongShare*bimodalLongNs
}

type splitMix64 struct{ state uint64 }

func (s *splitMix64) next() uint64 {
	s.state += 0x9E3779B97F4A7C15
	z := s.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}
func (s *splitMix64) uniform() float64              { return float64(s.next()>>11) * 0x1.0p-53 }
func (s *splitMix64) exponential(m float64) float64 { return -math.Log1p(-s.uniform()) * m }

func openLoopSeconds() float64 {
	env, ok := os.LookupEnv("GORO_OPENLOOP_SECONDS")
	if !ok {
		return 0.5
	}
	s, err := strconv.ParseFloat(env, 64)
	if err != nil || !(s >= 0.01 && s <= 60) {
		fmt.Fprintf(os.Stderr, "goro_go_bench: GORO_OPENLOOP_SECONDS must be seconds from 0.01 to 60, got '%s'\n", env)
		os.Exit(2)
	}
	return s
}

var (
	roundsOnce  sync.Once
	roundsPerNs float64
)

// hashRoundsPerNs is hashRounds' speed on this machine, measured once (best of 5).
func hashRoundsPerNs() float64 {
	roundsOnce.Do(func() {
		const rounds = 200000
		best := math.Inf(1)
		var sink uint64
		for i := 0; i < 5; i++ {
			t0 := time.Now()
			sink += hashRounds(uint64(i)+1, rounds)
			best = math.Min(best, float64(time.Since(t0).Nanoseconds()))
		}
		roundsPerNs = rounds / math.Max(best, 1)
		if sink == 42 {
			roundsPerNs++ // keeps the calibration's result alive
		}
	})
	return roundsPerNs
}

func nameSeed(name string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(name); i++ {
		h = (h ^ uint64(name[i])) * 0x100000001b3
	}
	return h
}

func percentileOf(sorted []uint64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return float64(sorted[rank-1])
}

// openLoop is the body of openloop/<mode>/<service>/load:<percent>.
func openLoop(name string, pool, bimodal bool, load int) func(*State) {
	return func(s *State) {
		seconds := openLoopSeconds()
		ratePerNs := float64(load) / 100 * float64(s.Workers) / meanServiceNs(bimodal)
		arrivals, service := splitMix64{nameSeed(name) ^ 1}, splitMix64{nameSeed(name) ^ 2}
		speed := hashRoundsPerNs()
		var arrival, rounds []uint64
		for t := arrivals.exponential(1 / ratePerNs); t < seconds*1e9; t += arrivals.exponential(1 / ratePerNs) {
			var ns float64
			if !bimodal {
				ns = service.exponential(expMeanNs)
			} else if service.uniform() < bimodalLongShare {
				ns = bimodalLongNs
			} else {
				ns = bimodalShortNs
			}
			arrival = append(arrival, uint64(t))
			rounds = append(rounds, uint64(math.Max(1, ns*speed)))
		}
		n := len(arrival)
		completed := make([]uint64, n)
		sinks := make([]uint64, n)
		var start time.Time
		serve := func(i int) {
			sinks[i] = hashRounds(uint64(i)+1, int(rounds[i]))
			completed[i] = uint64(time.Since(start).Nanoseconds())
		}
		var wg sync.WaitGroup
		wg.Add(n)
		requests := make(chan int, 1024)
		var poolDone sync.WaitGroup
		if pool {
			poolDone.Add(4 * s.Workers)
			for p := 0; p < 4*s.Workers; p++ {
				go func() {
					for i := range requests {
						serve(i)
						wg.Done()
					}
					poolDone.Done()
				}()
			}
		}
		s.StartTimer()
		start = time.Now()
		for next := 0; next < n; {
			now := uint64(time.Since(start).Nanoseconds())
			for ; next < n && arrival[next] <= now; next++ {
				if pool {
					requests <- next
				} else {
					go func(i int) {
						serve(i)
						wg.Done()
					}(next)
				}
			}
			if next < n {
				runtime.Gosched()
			}
		}
		wg.Wait()
		s.StopTimer()
		close(requests)
		poolDone.Wait()

		latency := make([]uint64, 0, n)
		var last uint64
		for i := 0; i < n; i++ {
			if completed[i] == 0 {
				s.SkipWithError("openloop: a request never completed")
				return
			}
			if completed[i] > last {
				last = completed[i]
			}
			if float64(arrival[i]) >= seconds*1e8 {
				l := uint64(0)
				if completed[i] > arrival[i] {
					l = completed[i] - arrival[i]
				}
				latency = append(latency, l)
			}
		}
		sort.Slice(latency, func(a, b int) bool { return latency[a] < latency[b] })
		offered, achieved := 0.0, 0.0
		if n > 1 {
			offered = float64(n-1) / float64(arrival[n-1]-arrival[0]) * 1e9
			achieved = float64(n-1) / float64(last-arrival[0]) * 1e9
		}
		reached := 0.0
		if achieved >= reachedShare*offered {
			reached = 1
		}
		s.Counter("p50_ns", percentileOf(latency, 0.5), false)
		s.Counter("p99_ns", percentileOf(latency, 0.99), false)
		s.Counter("p999_ns", percentileOf(latency, 0.999), false)
		s.Counter("offered_per_second", offered, false)
		s.Counter("achieved_per_second", achieved, false)
		s.Counter("reached", reached, false)
		s.Counter("slo_ns", sloFactor*meanServiceNs(bimodal), false)
		s.SetItemsProcessed(int64(n))
	}
}

// openLoopWorkloads is every open-loop point, in benches::add_openloop_points' order.
func openLoopWorkloads() []workload {
	var rows []workload
	for _, mode := range []string{"spawn", "pool"} {
		for _, svc := range []string{"exp", "bimodal"} {
			for _, load := range openLoopLoads {
				name := "openloop/" + mode + "/" + svc + "/load:" + strconv.Itoa(load)
				rows = append(rows, workload{name, openLoop(name, mode == "pool", svc == "bimodal", load), true})
			}
		}
	}
	return rows
}
