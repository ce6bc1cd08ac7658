package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/renet-go/renet/bench/internal/netns"
	"github.com/renet-go/renet/internal/relay/pathtest"
)

// behind returns a column that measures a userspace stack behind the path,
// sending (up == false) or receiving (up == true), in a fresh namespace.
// The second result is packets dropped at the TUN device, outside the path.
func behind(peer pathtest.NewPeer, up bool) func(pathtest.Path, int64, time.Duration) (pathtest.Result, uint64, error) {
	return func(p pathtest.Path, size int64, timeout time.Duration) (r pathtest.Result, drops uint64, err error) {
		ns, err := netns.New("renet-paths")
		if err != nil {
			return r, 0, err
		}
		defer ns.Delete()
		e, err := pathtest.NewBehind(ns, p.Impair, peer)
		if err != nil {
			return r, 0, err
		}
		defer e.Close()
		e.CC = "cubic"
		if up {
			r, err = e.Upload(size, timeout)
		} else {
			r, err = e.Download(size, timeout)
		}
		drops, derr := e.HostDrops()
		return r, drops, errors.Join(err, derr)
	}
}

// kernels returns a column that measures Linux sending to Linux with
// congestion control cc, in two fresh namespaces.
func kernels(cc string) func(pathtest.Path, int64, time.Duration) (pathtest.Result, uint64, error) {
	return func(p pathtest.Path, size int64, timeout time.Duration) (r pathtest.Result, drops uint64, err error) {
		ns1, err := netns.New("renet-paths")
		if err != nil {
			return r, 0, err
		}
		defer ns1.Delete()
		ns2, err := netns.New("renet-paths")
		if err != nil {
			return r, 0, err
		}
		defer ns2.Delete()
		k, err := pathtest.NewKernels(ns1, ns2, p.Impair)
		if err != nil {
			return r, 0, err
		}
		defer k.Close()
		r, err = k.Send(size, cc, timeout)
		drops, derr := k.HostDrops()
		return r, drops, errors.Join(err, derr)
	}
}

// printTable measures every cell, path by path, printing each row as soon
// as it is complete and errors on stderr.
func printTable(paths []pathtest.Path, cols []column, size int64, timeout time.Duration) {
	head := []string{"path"}
	for _, c := range cols {
		head = append(head, c.title)
	}
	fmt.Println("| " + strings.Join(head, " | ") + " |")
	fmt.Println("|---" + strings.Repeat("|--:", len(cols)) + "|")
	for _, p := range paths {
		row := []string{p.Desc}
		for _, c := range cols {
			r, drops, err := c.run(p, size, timeout)
			row = append(row, cell(r, drops, err))
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s, %s: %v\n", p.Name, c.name, err)
			}
		}
		fmt.Println("| " + strings.Join(row, " | ") + " |")
	}
}

func cell(r pathtest.Result, drops uint64, err error) string {
	if err != nil {
		return "error"
	}
	s := fmt.Sprintf("%.2f", r.MBps())
	if r.HasRetrans {
		s += fmt.Sprintf(" (rtx %d)", r.Retrans)
	}
	if drops > 0 {
		// Losses outside the path: the figure is not the path's.
		s += fmt.Sprintf(" [%d host drops]", drops)
	}
	return s
}

// printSettings prints the Linux defaults a fresh namespace gets, which
// the Linux figures depend on.
func printSettings() {
	ns, err := netns.New("renet-paths")
	if err != nil {
		fatalf("paths: %v", err)
	}
	defer ns.Delete()
	fmt.Println("Linux in a fresh namespace:")
	for _, k := range []string{"net.ipv4.tcp_congestion_control", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
		"net.ipv4.tcp_sack", "net.ipv4.tcp_recovery"} {
		fmt.Printf("  %s = %s\n", k, pathtest.Sysctl(ns, k))
	}
	fmt.Println("renet: netstack defaults; gVisor: default buffers with autotuning, SACK on")
}
