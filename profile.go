package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// startProfiles serves performance work (README, Performance): with HEDGEHOG_PROFILE=<prefix> the provider
// writes <prefix>-<pid>.cpu (the CPU profile of this process), and <prefix>-<pid>.heap and .goroutine each
// time the heap in use grows by a twentieth (sampled every 250 ms, after a GC, so the heap shows what is live).
// Terraform starts several provider processes per command, hence the pid. The returned function ends the CPU
// profile; it runs when Terraform shuts the plugin down gracefully. Nothing is written without the variable.
func startProfiles() func() {
	prefix := os.Getenv("HEDGEHOG_PROFILE")
	if prefix == "" {
		return func() {}
	}
	base := fmt.Sprintf("%s-%d", prefix, os.Getpid())
	cpu, err := os.Create(base + ".cpu")
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		cpu.Close()
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var peak uint64
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak+peak/20 {
				peak = ms.HeapInuse
				runtime.GC() // the heap profile shows what the last GC found live: make that now
				if f, err := os.Create(base + ".heap"); err == nil {
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
				if f, err := os.Create(base + ".goroutine"); err == nil {
					_ = pprof.Lookup("goroutine").WriteTo(f, 1)
					f.Close()
				}
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			<-done
			pprof.StopCPUProfile()
			cpu.Close()
		})
	}
}
