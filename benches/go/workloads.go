// workloads.go — the Go twin of benches/workloads.hpp: the same workloads, the same sizes, the
// same checks, written the way a Go programmer would (go, chan, select, sync.WaitGroup,
// sync.Mutex). Each function times only its loop (StartTimer .. StopTimer), like the C++ range-for.
package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// hashRounds is `rounds` rounds of an xorshift-multiply hash (same as benches::hash_rounds).
func hashRounds(x uint64, rounds int) uint64 {
	for i := 0; i < rounds; i++ {
		x ^= x >> 33
		x *= 0xff51afd7ed558ccd
		x ^= x >> 29
	}
	return x
}

// work is the "little work per item" of fanout_fanin and worker_pool (same as benches::work).
func work(x uint64) uint64 { return hashRounds(x, 64) }

// spawn_join — op: start 100 goroutines that add their index to a sum; wait for all.
func spawnJoin(s *State) {
	const tasks = 100
	var sum atomic.Uint64
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		var wg sync.WaitGroup
		wg.Add(tasks)
		for j := uint64(0); j < tasks; j++ {
			go func(j uint64) {
				sum.Add(j)
				wg.Done()
			}(j)
		}
		wg.Wait()
	}
	s.StopTimer()
	if sum.Load() != uint64(s.N)*(tasks*(tasks-1)/2) {
		s.SkipWithError("spawn_join: wrong sum")
	}
	s.SetItemsProcessed(int64(s.N) * tasks)
}

// yield_pingpong — op: one runtime.Gosched() while a partner goroutine yields in a loop.
func yieldPingpong(s *State) {
	var stop, started atomic.Bool
	var partner atomic.Uint64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		started.Store(true)
		n := uint64(0)
		for !stop.Load() {
			runtime.Gosched()
			n++
		}
		partner.Store(n)
		wg.Done()
	}()
	for !started.Load() {
		runtime.Gosched()
	}
	mine := 0
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		runtime.Gosched()
		mine++
	}
	s.StopTimer()
	stop.Store(true)
	wg.Wait()
	if mine != s.N {
		s.SkipWithError("yield_pingpong: lost iterations")
	}
	s.SetItemsProcessed(int64(s.N))
	s.Counter("partner_yields_per_op", float64(partner.Load()), true)
}

// chan_pingpong — op: one round trip over two unbuffered channels.
func chanPingpong(s *State) {
	ping, pong := make(chan uint64), make(chan uint64)
	done := make(chan struct{})
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(done)
	}()
	ok := true
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		ping <- uint64(i)
		ok = ok && <-pong == uint64(i)+1
	}
	s.StopTimer()
	close(ping)
	<-done
	if !ok {
		s.SkipWithError("chan_pingpong: wrong reply")
	}
	s.SetItemsProcessed(int64(s.N))
}

// chan_prodcons/cap:C — op: one value from the measuring goroutine to a consumer.
func chanProdcons(capacity int) func(*State) {
	return func(s *State) {
		ch := make(chan uint64, capacity)
		result := make(chan uint64)
		go func() {
			sum := uint64(0)
			for v := range ch {
				sum += v
			}
			result <- sum
		}()
		n := uint64(0)
		s.StartTimer()
		for i := 0; i < s.N; i++ {
			n++
			ch <- n
		}
		s.StopTimer()
		close(ch)
		if <-result != n*(n+1)/2 {
			s.SkipWithError("chan_prodcons: wrong sum")
		}
		s.SetItemsProcessed(int64(s.N))
	}
}

// chan_mpmc/cap:C — op: 4 producers × 1,000 values through one channel to 4 consumers.
func chanMpmc(capacity int) func(*State) {
	return func(s *State) {
		const producers, consumers, perProducer = 4, 4, 1000
		var total atomic.Uint64
		s.StartTimer()
		for i := 0; i < s.N; i++ {
			ch := make(chan uint64, capacity)
			var pwg, cwg sync.WaitGroup
			pwg.Add(producers)
			cwg.Add(consumers)
			for c := 0; c < consumers; c++ {
				go func() {
					sum := uint64(0)
					for v := range ch {
						sum += v
					}
					total.Add(sum)
					cwg.Done()
				}()
			}
			for p := 0; p < producers; p++ {
				go func() {
					for v := uint64(1); v <= perProducer; v++ {
						ch <- v
					}
					pwg.Done()
				}()
			}
			pwg.Wait()
			close(ch)
			cwg.Wait()
		}
		s.StopTimer()
		if total.Load() != uint64(s.N)*producers*(perProducer*(perProducer+1)/2) {
			s.SkipWithError("chan_mpmc: wrong sum")
		}
		s.SetItemsProcessed(int64(s.N) * producers * perProducer)
	}
}

// feeders starts n goroutines, each sending 1, 2, 3, ... on its own channel of capacity capacity
// (0: unbuffered) until stopped; finish() stops them, drains every channel and returns (drained, sent).
type feeders struct {
	chans []chan uint64
	stop  atomic.Bool
	sent  atomic.Uint64
	wg    sync.WaitGroup
}

func startFeeders(n, capacity int) *feeders {
	f := &feeders{}
	f.wg.Add(n)
	for i := 0; i < n; i++ {
		ch := make(chan uint64, capacity)
		f.chans = append(f.chans, ch)
		go func() {
			v, sum := uint64(0), uint64(0)
			for !f.stop.Load() {
				v++
				ch <- v
				sum += v
			}
			close(ch)
			f.sent.Add(sum)
			f.wg.Done()
		}()
	}
	return f
}

func (f *feeders) finish() (uint64, uint64) {
	f.stop.Store(true)
	sum := uint64(0)
	for _, ch := range f.chans {
		for v := range ch {
			sum += v
		}
	}
	f.wg.Wait()
	return sum, f.sent.Load()
}

// select2 — op: one select over two unbuffered channels fed by two goroutines.
func select2(s *State) { select2Cap(0)(s) }

// select2/cap:K — the same over two channels of capacity K.
func select2Cap(capacity int) func(*State) {
	return func(s *State) { select2With(s, capacity) }
}

func select2With(s *State, capacity int) {
	f := startFeeders(2, capacity)
	a, b := f.chans[0], f.chans[1]
	sum, got := uint64(0), 0
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		select {
		case v := <-a:
			sum += v
		case v := <-b:
			sum += v
		}
		got++
	}
	s.StopTimer()
	drained, sent := f.finish()
	if got != s.N || sum+drained != sent {
		s.SkipWithError("select2: lost or invented values")
	}
	s.SetItemsProcessed(int64(s.N))
}

// select_fanin/chans:8 — op: one select over 8 unbuffered channels, each fed by a goroutine.
// Go's idiom for a fixed fan-in is a static 8-case select (reflect.Select is the dynamic form,
// far slower and not what a Go programmer writes), so that is what the twin measures.
func selectFanin8(s *State) {
	f := startFeeders(8, 0)
	c := f.chans
	sum, got := uint64(0), 0
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		var v uint64
		select {
		case v = <-c[0]:
		case v = <-c[1]:
		case v = <-c[2]:
		case v = <-c[3]:
		case v = <-c[4]:
		case v = <-c[5]:
		case v = <-c[6]:
		case v = <-c[7]:
		}
		sum += v
		got++
	}
	s.StopTimer()
	drained, sent := f.finish()
	if got != s.N || sum+drained != sent {
		s.SkipWithError("select_fanin: lost or invented values")
	}
	s.SetItemsProcessed(int64(s.N))
}

// fanout_fanin — op: generator → 4 workers (fan-out) → 4 forwarders into one channel (fan-in).
func fanoutFanin(s *State) {
	const items, workers = 1000, 4
	expected := uint64(0)
	for v := uint64(1); v <= items; v++ {
		expected += work(v)
	}
	ok := true
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		in, merged := make(chan uint64), make(chan uint64)
		go func() {
			for v := uint64(1); v <= items; v++ {
				in <- v
			}
			close(in)
		}()
		var forwarders sync.WaitGroup
		forwarders.Add(workers)
		for w := 0; w < workers; w++ {
			out := make(chan uint64)
			go func() {
				for v := range in {
					out <- work(v)
				}
				close(out)
			}()
			go func() {
				for v := range out {
					merged <- v
				}
				forwarders.Done()
			}()
		}
		go func() {
			forwarders.Wait()
			close(merged)
		}()
		sum := uint64(0)
		for v := range merged {
			sum += v
		}
		ok = ok && sum == expected
	}
	s.StopTimer()
	if !ok {
		s.SkipWithError("fanout_fanin: wrong sum")
	}
	s.SetItemsProcessed(int64(s.N) * items)
}

// worker_pool — op: 1,000 jobs through 4 long-lived workers (jobs and results capacity 128).
func workerPool(s *State) {
	const jobsPerOp, workers = 1000, 4
	jobs, results := make(chan uint64, 128), make(chan uint64, 128)
	var wg sync.WaitGroup
	wg.Add(workers)
	for w := 0; w < workers; w++ {
		go func() {
			for j := range jobs {
				results <- work(j)
			}
			wg.Done()
		}()
	}
	expected := uint64(0)
	for v := uint64(1); v <= jobsPerOp; v++ {
		expected += work(v)
	}
	ok := true
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		go func() {
			for v := uint64(1); v <= jobsPerOp; v++ {
				jobs <- v
			}
		}()
		sum := uint64(0)
		for k := 0; k < jobsPerOp; k++ {
			sum += <-results
		}
		ok = ok && sum == expected
	}
	s.StopTimer()
	close(jobs)
	wg.Wait()
	if !ok {
		s.SkipWithError("worker_pool: wrong sum")
	}
	s.SetItemsProcessed(int64(s.N) * jobsPerOp)
}

// mutex_contended — op: 4 goroutines × 1,000 lock/increment/unlock of one sync.Mutex, with
// `inside` hash rounds inside the critical section and `outside` after each unlock (the three
// shapes of benches::mutex_contended).
func mutexContended(inside, outside int) func(*State) {
	return func(s *State) {
		const tasks, perTask = 4, 1000
		var mu sync.Mutex
		counter := uint64(0) // guarded by mu
		mixed := uint64(0)   // guarded by mu
		var outsideSink atomic.Uint64
		s.StartTimer()
		for i := 0; i < s.N; i++ {
			var wg sync.WaitGroup
			wg.Add(tasks)
			for t := 0; t < tasks; t++ {
				go func(t int) {
					local := uint64(t) + 1
					for k := 0; k < perTask; k++ {
						mu.Lock()
						counter++
						if inside > 0 {
							mixed = hashRounds(mixed+counter, inside)
						}
						mu.Unlock()
						if outside > 0 {
							local = hashRounds(local+uint64(k), outside)
						}
					}
					outsideSink.Add(local)
					wg.Done()
				}(t)
			}
			wg.Wait()
		}
		s.StopTimer()
		sinkMixed = mixed + outsideSink.Load()
		if counter != uint64(s.N)*tasks*perTask {
			s.SkipWithError("mutex_contended: lost increments")
		}
		s.SetItemsProcessed(int64(s.N) * tasks * perTask)
	}
}

// sinkMixed keeps the hash work of mutexContended observable, so the compiler cannot drop it.
var sinkMixed uint64

// sieve — op: the concurrent prime sieve of the Go tour for the first 2,000 primes; the
// generator stops at 17389 (the 2,000th prime) and closing propagates down the chain.
func sieve(s *State) {
	const primes, lastPrime = 2000, 17389
	ok := true
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		source := make(chan uint64)
		go func() {
			for n := uint64(2); n <= lastPrime; n++ {
				source <- n
			}
			close(source)
		}()
		count, last := 0, uint64(0)
		in := source
		for {
			p, open := <-in
			if !open {
				break
			}
			count++
			last = p
			out := make(chan uint64)
			go func(in <-chan uint64, out chan<- uint64, prime uint64) {
				for v := range in {
					if v%prime != 0 {
						out <- v
					}
				}
				close(out)
			}(in, out, p)
			in = out
		}
		ok = ok && count == primes && last == lastPrime
	}
	s.StopTimer()
	if !ok {
		s.SkipWithError("sieve: wrong primes")
	}
	s.SetItemsProcessed(int64(s.N) * primes)
}

// skynet — op: 1,000,000 leaf goroutines in a 10-ary tree 6 levels deep (1,111,111 in all);
// each inner node sums its children from a channel of capacity 10.
func skynetNode(out chan<- uint64, num, size uint64) {
	if size == 1 {
		out <- num
		return
	}
	children := make(chan uint64, 10)
	step := size / 10
	for i := uint64(0); i < 10; i++ {
		go skynetNode(children, num+i*step, step)
	}
	sum := uint64(0)
	for i := 0; i < 10; i++ {
		sum += <-children
	}
	out <- sum
}

func skynet(s *State) {
	ok := true
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		root := make(chan uint64, 1)
		go skynetNode(root, 0, 1000000)
		ok = ok && <-root == 499999500000
	}
	s.StopTimer()
	if !ok {
		s.SkipWithError("skynet: wrong sum")
	}
	s.SetItemsProcessed(int64(s.N) * 1111111)
}

func residentBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return -1
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// parked_memory — op: 100,000 goroutines each signal, then block on one channel; RSS delta
// while all are parked, per goroutine. Freed memory is returned to the OS first
// (debug.FreeOSMemory) so reused spans are counted again.
func parkedMemory(s *State) {
	const tasks = 100000
	perTask := 0.0
	s.StartTimer()
	for i := 0; i < s.N; i++ {
		s.StopTimer()
		debug.FreeOSMemory()
		s.StartTimer()
		gate := make(chan int)
		var started, finished sync.WaitGroup
		started.Add(tasks)
		finished.Add(tasks)
		before := residentBytes()
		for t := 0; t < tasks; t++ {
			go func() {
				started.Done()
				<-gate
				finished.Done()
			}()
		}
		started.Wait()
		parked := residentBytes()
		close(gate)
		finished.Wait()
		perTask += float64(parked-before) / tasks
	}
	s.StopTimer()
	s.Counter("rss_bytes_per_task", perTask, true)
	s.Counter("tasks", tasks, false)
	s.SetItemsProcessed(int64(s.N) * tasks)
}
