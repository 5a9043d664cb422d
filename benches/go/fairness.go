// fairness.go — the Go twin of benches/fairness.hpp: the same four pathologies, the same
// counters. benches/fairness.hpp says what each shows.
package main

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func jainIndex(x []float64) float64 {
	sum, squares := 0.0, 0.0
	for _, v := range x {
		sum += v
		squares += v * v
	}
	if squares == 0 {
		return 1
	}
	return sum * sum / (float64(len(x)) * squares)
}

func fairnessRunnextWait(s *State) {
	const rounds, readyAfter = 2000, 100
	waitTotal, shareTotal := 0.0, 0.0
	s.StartTimer()
	for it := 0; it < s.N; it++ {
		ping, pong := make(chan int), make(chan int)
		readied := make(chan time.Time, 1)
		var wg sync.WaitGroup
		var start, end time.Time
		wg.Add(2)
		go func() {
			for v := range ping {
				pong <- v
			}
			wg.Done()
		}()
		go func() {
			start = time.Now()
			for i := 0; i < rounds; i++ {
				if i == readyAfter {
					readied <- time.Now()
				}
				ping <- i
				<-pong
			}
			end = time.Now()
			close(ping)
			wg.Done()
		}()
		at := <-readied
		ran := time.Now()
		wg.Wait()
		wait := float64(ran.Sub(at).Nanoseconds())
		waitTotal += wait
		shareTotal += wait / float64(end.Sub(start).Nanoseconds()+1)
	}
	s.StopTimer()
	s.Counter("victim_wait_ns", waitTotal, true)
	s.Counter("wait_share", shareTotal, true)
}

func fairnessCPUHog(s *State) {
	hogRounds := int(20e6 * hashRoundsPerNs()) // 20 ms of work, never blocking or yielding
	delayTotal := 0.0
	var sink uint64
	s.StartTimer()
	for it := 0; it < s.N; it++ {
		var wg sync.WaitGroup
		var hogStarted atomic.Bool
		wg.Add(1)
		go func() {
			hogStarted.Store(true)
			sink += hashRounds(sink+1, hogRounds)
			wg.Done()
		}()
		t0 := time.Now()
		for !hogStarted.Load() {
			runtime.Gosched()
		}
		delayTotal += float64(time.Since(t0).Nanoseconds())
		wg.Wait()
	}
	s.StopTimer()
	s.Counter("peer_delay_ns", delayTotal, true)
}

func fairnessMutex(tasks int) func(*State) {
	return func(s *State) {
		const acquisitions = 6400
		var mu sync.Mutex
		counter := uint64(0) // guarded by mu
		longest := make([]int64, tasks)
		s.StartTimer()
		for it := 0; it < s.N; it++ {
			var wg sync.WaitGroup
			wg.Add(tasks)
			for t := 0; t < tasks; t++ {
				go func(t int) {
					worst := int64(0)
					for i := 0; i < acquisitions/tasks; i++ {
						asked := time.Now()
						mu.Lock()
						if w := time.Since(asked).Nanoseconds(); w > worst {
							worst = w
						}
						counter++
						mu.Unlock()
					}
					if worst > longest[t] {
						longest[t] = worst
					}
					wg.Done()
				}(t)
			}
			wg.Wait()
		}
		s.StopTimer()
		if counter != uint64(s.N)*uint64(acquisitions/tasks*tasks) {
			s.SkipWithError("fairness/mutex: lost increments")
		}
		max := int64(0)
		for _, v := range longest {
			if v > max {
				max = v
			}
		}
		s.Counter("max_acquire_ns", float64(max), false)
		s.SetItemsProcessed(int64(s.N) * int64(acquisitions/tasks*tasks))
	}
}

func fairnessPoolJain(s *State) {
	const tasks, jobs = 16, 20000
	jainTotal := 0.0
	s.StartTimer()
	for it := 0; it < s.N; it++ {
		ch := make(chan uint64, 128)
		done := make([]float64, tasks)
		var wg sync.WaitGroup
		wg.Add(tasks)
		for t := 0; t < tasks; t++ {
			go func(t int) {
				var sink uint64
				for j := range ch {
					sink += work(j)
					done[t]++
				}
				if sink == 42 {
					done[t] += 0 // keeps the work alive
				}
				wg.Done()
			}(t)
		}
		for j := uint64(0); j < jobs; j++ {
			ch <- j
		}
		close(ch)
		wg.Wait()
		jainTotal += jainIndex(done)
	}
	s.StopTimer()
	s.Counter("jain_index", jainTotal, true)
	s.SetItemsProcessed(int64(s.N) * jobs)
}

// fairnessWorkloads is benches::add_fairness_workloads' table.
func fairnessWorkloads() []workload {
	rows := []workload{{"fairness/runnext_wait", fairnessRunnextWait, false}, {"fairness/cpu_hog", fairnessCPUHog, true}}
	for _, tasks := range []int{1, 4, 16, 64} {
		rows = append(rows, workload{"fairness/mutex/tasks:" + strconv.Itoa(tasks), fairnessMutex(tasks), false})
	}
	return append(rows, workload{"fairness/pool_jain", fairnessPoolJain, false})
}
