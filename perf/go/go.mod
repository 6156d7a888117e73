module gosched/perf

go 1.19
