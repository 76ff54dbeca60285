// A scrape target for conprof's tests: net/http/pprof on a loopback port, with work that fills
// every default profile type. Prints "LISTEN <host:port>" once it serves.
package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"sync"
	"time"
)

var sink [][]byte

// spinForever burns CPU so the CPU profile names it.
func spinForever() {
	x := 0
	for {
		for i := 0; i < 1000000; i++ {
			x = x*31 + i
		}
		if x == 42 {
			fmt.Println(x)
		}
	}
}

// allocateForever keeps some memory live and churns the rest, for heap and allocs.
func allocateForever() {
	for i := 0; ; i++ {
		b := make([]byte, 64*1024)
		if len(sink) < 64 {
			sink = append(sink, b)
		} else {
			sink[i%64] = b
		}
		if i%256 == 0 {
			runtime.GC()
		}
		time.Sleep(time.Millisecond)
	}
}

// contendForever makes goroutines wait on a mutex and a channel, for mutex and block.
func contendForever() {
	var mu sync.Mutex
	ch := make(chan int)
	for g := 0; g < 4; g++ {
		go func() {
			for {
				mu.Lock()
				time.Sleep(time.Millisecond)
				mu.Unlock()
			}
		}()
	}
	go func() {
		for {
			time.Sleep(2 * time.Millisecond)
			ch <- 1
		}
	}()
	for range ch {
	}
}

func main() {
	runtime.MemProfileRate = 4096
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go spinForever()
	go allocateForever()
	go contendForever()
	fmt.Printf("LISTEN %s\n", l.Addr().String())
	if err := http.Serve(l, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
