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
package main

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
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

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	var chans []chan int
	for in.Scan() {
		words := strings.Fields(in.Text())
		if len(words) == 0 {
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
