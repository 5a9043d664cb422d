// interpreter.go — runs goro's differential-test channel programs on real Go channels.
//
// differential_go_test.cpp builds this file once per test run (standard library only) and feeds
// it many programs on stdin; for each it prints one line per statement and a terminator, in
// exactly the format the C++ interpretation prints, so the two outputs must be identical.
//
// Program format (one token list per line):
//
//	program
//	chans <spec>...        spec: "nil" or a capacity
//	send <i> <v>           c[i] <- v            (generated only where it cannot block)
//	recv <i>               v, ok := <-c[i]      (likewise)
//	trysend <i> <v>        select { case c[i] <- v: ; default: }
//	tryrecv <i>            select { case v, ok := <-c[i]: ; default: }
//	len <i> | cap <i> | close <i>
//	range <i>              for v := range c[i]  (only on a closed channel)
//	select <default 0|1> <case>...   case: "s:<i>:<v>" or "r:<i>" (at most one case is ready)
//	end
//
// Concurrent programs (differential_concurrent_go_test.cpp) — several goroutines, each with a
// running value acc (0 at the start):
//
//	gprogram
//	chans <spec>...        spec: "nil" or a capacity
//	g <index>              the statements that follow are goroutine <index>'s (0 is main)
//	send <i> <k>           c[i] <- acc + k
//	recv <i>               v, ok := <-c[i]; acc = mix(acc, v)
//	range <i>              for v := range c[i] { acc = mix(acc, v) }
//	selectall <i>...       receive from whichever of the channels is ready until all are
//	                       closed; acc += the sum of the values
//	close <i>
//	end
//
// main starts goroutines 1..n, runs its own statements, waits for the others (a WaitGroup),
// then prints one line per goroutine: "g<i>: <what each receive saw>; ...; acc=<acc>". A global
// deadlock or an unrecovered panic kills a Go process, so each concurrent program runs in a child
// process (this binary with -concurrent), and the parent turns its death into one line:
// "deadlock" (Go's "all goroutines are asleep") or "panic: <message>".
package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

// run executes one statement, turning a panic into its message.
func run(out *bufio.Writer, chans []chan int, words []string) {
	result := func() (result string) {
		defer func() {
			if r := recover(); r != nil {
				result = "panic: " + fmt.Sprint(r)
			}
		}()
		switch words[0] {
		case "send":
			chans[atoi(words[1])] <- atoi(words[2])
			return "ok"
		case "recv":
			v, ok := <-chans[atoi(words[1])]
			return fmt.Sprint(v, " ", ok)
		case "trysend":
			select {
			case chans[atoi(words[1])] <- atoi(words[2]):
				return "sent"
			default:
				return "default"
			}
		case "tryrecv":
			select {
			case v, ok := <-chans[atoi(words[1])]:
				return fmt.Sprint(v, " ", ok)
			default:
				return "default"
			}
		case "len":
			return fmt.Sprint(len(chans[atoi(words[1])]))
		case "cap":
			return fmt.Sprint(cap(chans[atoi(words[1])]))
		case "close":
			close(chans[atoi(words[1])])
			return "ok"
		case "range":
			var got []string
			for v := range chans[atoi(words[1])] {
				got = append(got, fmt.Sprint(v))
			}
			return "[" + strings.Join(got, " ") + "]"
		case "select":
			var cases []reflect.SelectCase
			for _, c := range words[2:] {
				parts := strings.Split(c, ":")
				ch := reflect.ValueOf(chans[atoi(parts[1])])
				if parts[0] == "s" {
					cases = append(cases, reflect.SelectCase{Dir: reflect.SelectSend, Chan: ch, Send: reflect.ValueOf(atoi(parts[2]))})
				} else {
					cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: ch})
				}
			}
			if words[1] == "1" {
				cases = append(cases, reflect.SelectCase{Dir: reflect.SelectDefault})
			}
			chosen, v, ok := reflect.Select(cases)
			if cases[chosen].Dir == reflect.SelectDefault {
				return "default"
			}
			if cases[chosen].Dir == reflect.SelectSend {
				return fmt.Sprint("case ", chosen)
			}
			return fmt.Sprint("case ", chosen, ": ", v.Int(), " ", ok)
		}
		panic("unknown statement " + words[0])
	}()
	fmt.Fprintf(out, "%s => %s\n", strings.Join(words, " "), result)
}

// ---- concurrent programs ----

func mix(acc, v int) int { return (acc*31 + v) % 1000003 }

// runConcurrent runs one concurrent program (the child process) and prints its output.
func runConcurrent(lines []string) {
	var chans []chan int
	bodies := [][][]string{nil}
	current := 0
	for _, line := range lines {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		switch words[0] {
		case "gprogram", "end":
		case "chans":
			for _, spec := range words[1:] {
				if spec == "nil" {
					chans = append(chans, nil)
				} else {
					chans = append(chans, make(chan int, atoi(spec)))
				}
			}
		case "g":
			current = atoi(words[1])
			for len(bodies) <= current {
				bodies = append(bodies, nil)
			}
		default:
			bodies[current] = append(bodies[current], words)
		}
	}
	logs := make([][]string, len(bodies))
	accs := make([]int, len(bodies))
	body := func(g int) {
		acc := 0
		for _, words := range bodies[g] {
			switch words[0] {
			case "send":
				chans[atoi(words[1])] <- acc + atoi(words[2])
			case "recv":
				v, ok := <-chans[atoi(words[1])]
				acc = mix(acc, v)
				logs[g] = append(logs[g], fmt.Sprintf("recv %s: %d %t", words[1], v, ok))
			case "range":
				var got []string
				for v := range chans[atoi(words[1])] {
					acc = mix(acc, v)
					got = append(got, fmt.Sprint(v))
				}
				logs[g] = append(logs[g], fmt.Sprintf("range %s: [%s]", words[1], strings.Join(got, " ")))
			case "selectall":
				var cases []reflect.SelectCase
				for _, c := range words[1:] {
					cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(chans[atoi(c)])})
				}
				sum, count := 0, 0
				for open := len(cases); open > 0; {
					chosen, v, ok := reflect.Select(cases)
					if !ok {
						cases[chosen].Chan = reflect.ValueOf((chan int)(nil))
						open--
						continue
					}
					sum += int(v.Int())
					count++
				}
				acc += sum
				logs[g] = append(logs[g], fmt.Sprintf("selectall: %d values, sum %d", count, sum))
			case "close":
				close(chans[atoi(words[1])])
			default:
				panic("unknown statement " + words[0])
			}
		}
		accs[g] = acc
	}
	var wg sync.WaitGroup
	for g := 1; g < len(bodies); g++ {
		wg.Add(1)
		go func(g int) {
			body(g)
			wg.Done() // not deferred: a panicking goroutine must not let main print and exit first
		}(g)
	}
	body(0)
	wg.Wait()
	for g := range bodies {
		fmt.Printf("g%d: %s\n", g, strings.Join(append(logs[g], fmt.Sprintf("acc=%d", accs[g])), "; "))
	}
}

// concurrentOutcome runs a concurrent program in a child process and returns its output, or
// the one line that says how it died.
func concurrentOutcome(program string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	self, err := os.Executable()
	if err != nil {
		return "interpreter error: " + err.Error() + "\n"
	}
	child := exec.CommandContext(ctx, self, "-concurrent")
	child.Stdin = strings.NewReader(program)
	var stdout, stderr bytes.Buffer
	child.Stdout, child.Stderr = &stdout, &stderr
	err = child.Run()
	if err == nil {
		return stdout.String()
	}
	first := strings.SplitN(stderr.String(), "\n", 2)[0]
	switch {
	case strings.Contains(first, "all goroutines are asleep"):
		return "deadlock\n"
	case strings.HasPrefix(first, "panic: "):
		return strings.TrimSuffix(first, " [recovered]") + "\n"
	case ctx.Err() != nil:
		return "timeout\n"
	}
	return "interpreter error: " + err.Error() + ": " + first + "\n"
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-concurrent" {
		in := bufio.NewScanner(os.Stdin)
		in.Buffer(make([]byte, 1<<20), 1<<20)
		var lines []string
		for in.Scan() {
			lines = append(lines, in.Text())
		}
		runConcurrent(lines)
		return
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	var chans []chan int
	var concurrent []string // the lines of a gprogram being read
	for in.Scan() {
		words := strings.Fields(in.Text())
		if len(words) == 0 {
			continue
		}
		if concurrent != nil || words[0] == "gprogram" {
			concurrent = append(concurrent, in.Text())
			if words[0] == "end" {
				fmt.Fprint(out, concurrentOutcome(strings.Join(concurrent, "\n")+"\n"))
				fmt.Fprintln(out, "---end---")
				out.Flush()
				concurrent = nil
			}
			continue
		}
		switch words[0] {
		case "program":
			chans = nil
		case "chans":
			for _, spec := range words[1:] {
				if spec == "nil" {
					chans = append(chans, nil)
				} else {
					chans = append(chans, make(chan int, atoi(spec)))
				}
			}
		case "end":
			fmt.Fprintln(out, "---end---")
			out.Flush()
		default:
			run(out, chans, words)
		}
	}
	out.Flush()
}
