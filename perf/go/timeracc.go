package main

import (
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// timerAccuracyOutput is the JSON line of -workload timer-accuracy (read by GoSched.Compare --timer-accuracy).
type timerAccuracyOutput struct {
	Workload  string  `json:"workload"`
	Sleepers  int     `json:"sleepers"`
	Procs     int     `json:"procs"`
	Sleeps    int64   `json:"sleeps"`
	Seconds   float64 `json:"seconds"`
	MedianMs  float64 `json:"median_ms"`
	P90Ms     float64 `json:"p90_ms"`
	P99Ms     float64 `json:"p99_ms"`
	MeanMs    float64 `json:"mean_ms"`
	MaxMs     float64 `json:"max_ms"`
	MinPerSl  int64   `json:"min_per_sleeper"`
	GoVersion string  `json:"go_version"`
	Ok        bool    `json:"ok"`
}

// Phases of a timer-accuracy run, as in GoSched.Compare's TimerAccuracy.cs.
const (
	phaseWarmingUp = iota
	phaseMeasuring
	phaseStopping
)

// timerAccuracy: the same workload as GoSched.Compare --timer-accuracy. sleepers goroutines each sleep 1 ms in a
// loop; during the measured window every sleep's lateness (time.Since around the Sleep, minus 1 ms) goes into the
// same histogram (10 us buckets to 10 ms, 100 us buckets to 100 ms, striped 64 ways by sleeper index).
func timerAccuracy(sleepers int, warmup, measure time.Duration) timerAccuracyOutput {
	var phase int32
	var h latenessHistogram
	var wg sync.WaitGroup
	// Sleeps completed in the window, per sleeper: written only by its sleeper, read after wg.Wait.
	perSleeper := make([]int64, sleepers)
	wg.Add(sleepers)
	for i := 0; i < sleepers; i++ {
		stripe, mine := i%stripes, &perSleeper[i]
		go func() {
			defer wg.Done()
			for atomic.LoadInt32(&phase) != phaseStopping {
				t0 := time.Now()
				time.Sleep(time.Millisecond)
				slept := time.Since(t0)
				if atomic.LoadInt32(&phase) == phaseMeasuring {
					h.add(stripe, slept-time.Millisecond)
					*mine++
				}
			}
		}()
	}
	time.Sleep(warmup)
	start := time.Now()
	atomic.StoreInt32(&phase, phaseMeasuring)
	time.Sleep(measure)
	atomic.StoreInt32(&phase, phaseStopping)
	seconds := time.Since(start).Seconds()
	wg.Wait()
	count := h.count()
	min := int64(math.MaxInt64)
	for _, c := range perSleeper {
		if c < min {
			min = c
		}
	}
	return timerAccuracyOutput{
		Workload: "timer-accuracy", Sleepers: sleepers, Sleeps: count, Seconds: seconds,
		MedianMs: jsonMs(h.percentile(0.50)), P90Ms: jsonMs(h.percentile(0.90)), P99Ms: jsonMs(h.percentile(0.99)),
		MeanMs: h.mean(), MaxMs: float64(atomic.LoadInt64(&h.maxMicros)) / 1000, MinPerSl: min, Ok: count > 0,
	}
}

// jsonMs encodes a percentile for JSON, which has no infinity: -1 means beyond the last bucket (over 100 ms).
func jsonMs(ms float64) float64 {
	if math.IsInf(ms, 1) {
		return -1
	}
	return ms
}

const (
	stripes       = 64
	fineBuckets   = 1000 // 10 us each: 0..10 ms
	coarseBuckets = 900  // 100 us each: 10..100 ms
	buckets       = fineBuckets + coarseBuckets + 1
)

type latenessHistogram struct {
	counts    [stripes][buckets]int64
	sumMicros [stripes * 8]int64 // per stripe, a cache line apart
	maxMicros int64
}

func (h *latenessHistogram) add(stripe int, late time.Duration) {
	ms := math.Max(0, float64(late)/float64(time.Millisecond))
	var b int
	switch {
	case ms < 10:
		b = int(ms * 100)
	case ms < 100:
		b = fineBuckets + int((ms-10)*10)
	default:
		b = buckets - 1
	}
	if b > buckets-1 {
		b = buckets - 1
	}
	atomic.AddInt64(&h.counts[stripe][b], 1)
	micros := int64(ms * 1000)
	atomic.AddInt64(&h.sumMicros[stripe*8], micros)
	for {
		seen := atomic.LoadInt64(&h.maxMicros)
		if micros <= seen || atomic.CompareAndSwapInt64(&h.maxMicros, seen, micros) {
			break
		}
	}
}

func (h *latenessHistogram) merged() (m [buckets]int64, total int64) {
	for s := range h.counts {
		for i := range h.counts[s] {
			c := atomic.LoadInt64(&h.counts[s][i])
			m[i] += c
			total += c
		}
	}
	return
}

func (h *latenessHistogram) count() int64 {
	_, total := h.merged()
	return total
}

func (h *latenessHistogram) mean() float64 {
	_, total := h.merged()
	if total == 0 {
		return math.NaN()
	}
	var sum int64
	for i := range h.sumMicros {
		sum += atomic.LoadInt64(&h.sumMicros[i])
	}
	return float64(sum) / 1000 / float64(total)
}

// percentile returns the upper bound (ms) of the bucket holding quantile q.
func (h *latenessHistogram) percentile(q float64) float64 {
	m, total := h.merged()
	if total == 0 {
		return math.NaN()
	}
	rank := int64(math.Ceil(q * float64(total)))
	var seen int64
	for i := 0; i < buckets; i++ {
		seen += m[i]
		if seen >= rank {
			switch {
			case i < fineBuckets:
				return float64(i+1) / 100
			case i < buckets-1:
				return 10 + float64(i-fineBuckets+1)/10
			default:
				return math.Inf(1)
			}
		}
	}
	return math.Inf(1)
}
