// schedlatency.go — the Go twin of goro's Stats::wake_latency: Go's own /sched/latencies:seconds
// (runtime/metrics), the time goroutines spent runnable before running, read around the timed
// region and reported as wake_p50_ns / wake_p99_ns / wake_p999_ns.
//
// Differences from goro's metric, said once: Go samples one goroutine transition in eight, and it
// counts every runnable interval (a new goroutine's first run and a preempted one's return, not
// only a wake-up after a block); goro records exactly the ready() -> running intervals.
package main

import (
	"math"
	"runtime/metrics"
)

const schedLatencies = "/sched/latencies:seconds"

// schedLatencySnapshot is the cumulative histogram now (nil when the runtime lacks the metric).
func schedLatencySnapshot() *metrics.Float64Histogram {
	sample := []metrics.Sample{{Name: schedLatencies}}
	metrics.Read(sample)
	if sample[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	h := sample[0].Value.Float64Histogram()
	return &metrics.Float64Histogram{Counts: append([]uint64(nil), h.Counts...), Buckets: h.Buckets}
}

// schedLatencyAdd adds after - before into acc (allocated on first use).
func schedLatencyAdd(acc *[]uint64, before, after *metrics.Float64Histogram) {
	if before == nil || after == nil || len(before.Counts) != len(after.Counts) {
		return
	}
	if *acc == nil {
		*acc = make([]uint64, len(after.Counts))
	}
	for i := range after.Counts {
		(*acc)[i] += after.Counts[i] - before.Counts[i]
	}
}

// schedLatencyPercentile is the q-quantile in ns of counts over buckets (boundaries in seconds),
// read as the middle of its bucket; 0 when empty.
func schedLatencyPercentile(counts []uint64, buckets []float64, q float64) float64 {
	var n uint64
	for _, c := range counts {
		n += c
	}
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	if rank == 0 {
		rank = 1
	}
	var seen uint64
	for i, c := range counts {
		seen += c
		if seen >= rank {
			lo, hi := buckets[i], buckets[i+1]
			if math.IsInf(lo, -1) || lo < 0 {
				lo = 0
			}
			if math.IsInf(hi, 1) {
				hi = lo
			}
			return (lo + hi) / 2 * 1e9
		}
	}
	return 0
}
