// Command perf runs the Go versions of the GoSched comparison workloads. It runs one workload a few times and
// prints one JSON line with the median time, so that perf/GoSched.Compare can parse it:
//
//	go build -o /tmp/goperf . && GOMAXPROCS=2 /tmp/goperf -workload skynet -n 1000000 -runs 5
//
// -workload timer-accuracy -n SLEEPERS is a report of its own (timeracc.go): the lateness of 1 ms sleeps.
//
// Each workload checks its own result; a wrong result makes "ok" false and the exit status 1.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

type output struct {
	Workload   string  `json:"workload"`
	N          int     `json:"n"`
	Procs      int     `json:"procs"`
	MedianNs   int64   `json:"median_ns"`
	RunsNs     []int64 `json:"runs_ns"`
	Result     int64   `json:"result"`
	Expected   int64   `json:"expected"`
	Ok         bool    `json:"ok"`
	BytesPerG  float64 `json:"bytes_per_g,omitempty"`
	RssPerG    float64 `json:"rss_per_g,omitempty"`
	GoVersion  string  `json:"go_version"`
	WarmupRuns int     `json:"warmup_runs"`
}

func main() {
	workload := flag.String("workload", "spawn", "workload name")
	n := flag.Int("n", 0, "count (0: the full count)")
	runs := flag.Int("runs", 5, "measured runs")
	warmup := flag.Int("warmup", 1, "warm-up runs (not measured)")
	warmupSeconds := flag.Float64("warmup-seconds", 1, "timer-accuracy: warm-up before the measured window")
	measureSeconds := flag.Float64("measure-seconds", 3, "timer-accuracy: the measured window")
	flag.Parse()

	if *workload == "timer-accuracy" {
		// A report of its own (see timeracc.go): -n is the number of sleepers.
		if *n == 0 {
			*n = 10_000
		}
		out := timerAccuracy(*n, time.Duration(*warmupSeconds*float64(time.Second)),
			time.Duration(*measureSeconds*float64(time.Second)))
		out.Procs, out.GoVersion = runtime.GOMAXPROCS(0), runtime.Version()
		b, err := json.Marshal(out)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println(string(b))
		if !out.Ok {
			os.Exit(1)
		}
		return
	}

	w, ok := workloads[*workload]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown workload %q\n", *workload)
		os.Exit(2)
	}
	if *n == 0 {
		*n = w.full
	}
	out := output{Workload: *workload, N: *n, Procs: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()}
	out.Expected = w.expected(*n)

	if *workload == "parked-memory" {
		perG, rssPerG, res := parkedMemory(*n)
		out.BytesPerG, out.RssPerG, out.Result = perG, rssPerG, res
		out.Ok = res == out.Expected
		emit(out)
		return
	}

	for i := 0; i < *warmup; i++ {
		w.run(*n)
	}
	out.WarmupRuns = *warmup
	out.Ok = true
	for i := 0; i < *runs; i++ {
		runtime.GC()
		start := time.Now()
		r := w.run(*n)
		out.RunsNs = append(out.RunsNs, time.Since(start).Nanoseconds())
		out.Result = r
		if r != out.Expected {
			out.Ok = false
		}
	}
	sorted := append([]int64(nil), out.RunsNs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	out.MedianNs = sorted[len(sorted)/2]
	emit(out)
}

func emit(out output) {
	b, _ := json.Marshal(out)
	fmt.Println(string(b))
	if !out.Ok {
		os.Exit(1)
	}
}

type workload struct {
	full     int
	run      func(n int) int64
	expected func(n int) int64
}

func same(n int) int64        { return int64(n) }
func triangle(n int) int64    { return int64(n) * int64(n-1) / 2 }
func nthPrimeExp(n int) int64 { return nthPrime(n) }

var workloads = map[string]workload{
	"spawn":         {1_000_000, spawn, same},
	"skynet":        {1_000_000, skynetRun, triangle},
	"pingpong":      {1_000_000, pingPong, same},
	"buffered-1x1":  {10_000_000, func(n int) int64 { return buffered(n, 1) }, triangle},
	"buffered-4x4":  {10_000_000, func(n int) int64 { return buffered(n, 4) }, triangle},
	"gosched":       {1_000_000, gosched, same},
	"sieve":         {3000, sieve, nthPrimeExp},
	"ring":          {10_000_000, ring, func(n int) int64 { return int64(n % ringSize) }},
	"mutex":         {1_000_000, mutex, same},
	"sleep":         {100_000, sleep, func(n int) int64 { return int64(n) * sleepsPerG }},
	"fib":           {32, fibRun, func(n int) int64 { return fibSeq(n) }},
	"parked-memory": {1_000_000, nil, same},
}

// spawn: start n goroutines and wait for all of them.
func spawn(n int) int64 {
	var wg sync.WaitGroup
	var count int64
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			atomic.AddInt64(&count, 1)
			wg.Done()
		}()
	}
	wg.Wait()
	return count
}

// skynet: the classic tree of goroutines, branching 10, summing the leaf numbers through unbuffered channels.
func skynet(c chan int64, num, size, div int64) {
	if size == 1 {
		c <- num
		return
	}
	rc := make(chan int64)
	var sum int64
	for i := int64(0); i < div; i++ {
		sub := num + i*(size/div)
		go skynet(rc, sub, size/div, div)
	}
	for i := int64(0); i < div; i++ {
		sum += <-rc
	}
	c <- sum
}

func skynetRun(n int) int64 {
	c := make(chan int64)
	go skynet(c, 0, int64(n), 10)
	return <-c
}

// pingpong: n round trips over two unbuffered channels.
func pingPong(n int) int64 {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	v := 0
	for i := 0; i < n; i++ {
		ping <- v
		v = <-pong
	}
	close(ping)
	return int64(v)
}

// buffered: producers send 0..n-1 (split evenly) on one channel of capacity 1024; consumers sum them.
func buffered(n, workers int) int64 {
	ch := make(chan int64, 1024)
	var pwg, cwg sync.WaitGroup
	var total int64
	per := n / workers
	for p := 0; p < workers; p++ {
		pwg.Add(1)
		go func(lo, hi int) {
			for i := lo; i < hi; i++ {
				ch <- int64(i)
			}
			pwg.Done()
		}(p*per, (p+1)*per)
	}
	for c := 0; c < workers; c++ {
		cwg.Add(1)
		go func() {
			var sum int64
			for v := range ch {
				sum += v
			}
			atomic.AddInt64(&total, sum)
			cwg.Done()
		}()
	}
	pwg.Wait()
	close(ch)
	cwg.Wait()
	return total
}

const goschedGoroutines = 1000

// gosched: 1000 goroutines each call runtime.Gosched n/1000 times.
func gosched(n int) int64 {
	per := n / goschedGoroutines
	var wg sync.WaitGroup
	var total int64
	wg.Add(goschedGoroutines)
	for g := 0; g < goschedGoroutines; g++ {
		go func() {
			for i := 0; i < per; i++ {
				runtime.Gosched()
			}
			atomic.AddInt64(&total, int64(per))
			wg.Done()
		}()
	}
	wg.Wait()
	return total
}

// sieve: the concurrent prime sieve from the Go tour, to the n-th prime. To leave no goroutine behind, the
// generator stops when asked and sends -1, which every filter passes on before it returns; main drains the chain.
func sieve(n int) int64 {
	var stop int32
	ch := make(chan int)
	go func(out chan<- int) {
		for i := 2; atomic.LoadInt32(&stop) == 0; i++ {
			out <- i
		}
		out <- -1
	}(ch)
	var prime int
	for i := 0; i < n; i++ {
		prime = <-ch
		ch1 := make(chan int)
		go func(in <-chan int, out chan<- int, p int) {
			for {
				v := <-in
				if v == -1 {
					out <- -1
					return
				}
				if v%p != 0 {
					out <- v
				}
			}
		}(ch, ch1, prime)
		ch = ch1
	}
	atomic.StoreInt32(&stop, 1)
	for v := <-ch; v != -1; v = <-ch {
	}
	return int64(prime)
}

const ringSize = 503

// ring: a token passes n hops around a ring of 503 goroutines; the result is the index that holds it last.
func ring(n int) int64 {
	chans := make([]chan int, ringSize)
	for i := range chans {
		chans[i] = make(chan int)
	}
	var result int64
	var wg sync.WaitGroup
	wg.Add(ringSize)
	for i := 0; i < ringSize; i++ {
		go func(id int, in <-chan int, out chan<- int) {
			defer wg.Done()
			finisher := false
			for {
				t := <-in
				switch {
				case t > 0:
					out <- t - 1
				case t == 0:
					result = int64(id)
					finisher = true
					out <- -1
				default: // -1: shut down; the finisher is the last to receive it
					if !finisher {
						out <- -1
					}
					return
				}
			}
		}(i, chans[i], chans[(i+1)%ringSize])
	}
	chans[0] <- n
	wg.Wait()
	return result
}

const mutexGoroutines = 100

// mutex: 100 goroutines each take one mutex n/100 times.
func mutex(n int) int64 {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var counter int64
	per := n / mutexGoroutines
	wg.Add(mutexGoroutines)
	for g := 0; g < mutexGoroutines; g++ {
		go func() {
			for i := 0; i < per; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
			wg.Done()
		}()
	}
	wg.Wait()
	return counter
}

const sleepsPerG = 10

// sleep: n goroutines each sleep 1 ms ten times.
func sleep(n int) int64 {
	var wg sync.WaitGroup
	var total int64
	wg.Add(n)
	for g := 0; g < n; g++ {
		go func() {
			for i := 0; i < sleepsPerG; i++ {
				time.Sleep(time.Millisecond)
			}
			atomic.AddInt64(&total, sleepsPerG)
			wg.Done()
		}()
	}
	wg.Wait()
	return total
}

// FibCutoff: calls with n >= FibCutoff spawn a goroutine for fib(n-1); below it fib is sequential.
const fibCutoff = 12

func fibSeq(n int) int64 {
	if n < 2 {
		return int64(n)
	}
	return fibSeq(n-1) + fibSeq(n-2)
}

func fibPar(n int) int64 {
	if n < fibCutoff {
		return fibSeq(n)
	}
	c := make(chan int64, 1)
	go func() { c <- fibPar(n - 1) }()
	b := fibPar(n - 2)
	return <-c + b
}

func fibRun(n int) int64 { return fibPar(n) }

func nthPrime(n int) int64 {
	count := 0
	for i := 2; ; i++ {
		isPrime := true
		for d := 2; d*d <= i; d++ {
			if i%d == 0 {
				isPrime = false
				break
			}
		}
		if isPrime {
			count++
			if count == n {
				return int64(i)
			}
		}
	}
}

// parkedMemory: n goroutines blocked receiving from one channel; memory is read after a full collection.
func parkedMemory(n int) (perG, rssPerG float64, released int64) {
	var before, after runtime.MemStats
	debug.FreeOSMemory()
	runtime.ReadMemStats(&before)
	rssBefore := rss()
	block := make(chan struct{})
	var started, done sync.WaitGroup
	var count int64
	started.Add(n)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-block
			atomic.AddInt64(&count, 1)
			done.Done()
		}()
	}
	started.Wait()
	time.Sleep(100 * time.Millisecond) // let the last goroutines reach the receive
	runtime.GC()
	runtime.ReadMemStats(&after)
	rssAfter := rss()
	close(block)
	done.Wait()
	return float64(after.Sys-before.Sys) / float64(n), float64(rssAfter-rssBefore) / float64(n), count
}

// rss reads the resident set size from /proc/self/statm (Linux); 0 elsewhere.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	if _, err := fmt.Sscan(string(b), &size, &resident); err != nil {
		return 0
	}
	return resident * int64(os.Getpagesize())
}
