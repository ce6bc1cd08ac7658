package main

import (
	"cmp"
	"encoding/json"
	"html/template"
	"net/http"
	"runtime"
	"slices"
	"time"

	"github.com/renet-go/renet/netstack"
)

// snapshot is what the status page shows: built from the relay's own
// table and counters and the forwarder's Stats, never from the stack's
// internals.
type snapshot struct {
	Time      time.Time
	Uptime    string
	Counters  countersView
	Forwarder netstack.ForwarderStats
	Memory    memView
	// Flows is every active flow, oldest first; ?flows=0 leaves it out
	// (with tens of thousands of flows the page is large).
	Flows []flowView
}

// memView is the process's memory as the Go runtime sees it.
type memView struct {
	HeapAlloc  uint64 // bytes of live and not yet collected objects
	HeapInuse  uint64 // bytes in spans holding objects
	StackInuse uint64 // goroutine stacks
	Sys        uint64 // bytes obtained from the OS, all uses
	Goroutines int
}

// flowView is one flow in a snapshot.
type flowView struct {
	ID         uint64
	Proto      string
	Src, Dst   string
	State      string
	BytesUp    uint64 // client to upstream
	BytesDown  uint64
	AgeSeconds float64
	Age        string
	// Peers is, for UDP, how many destinations the flow has sent to;
	// for ping, how many requests it has relayed.
	Peers uint64 `json:",omitempty"`
	// TCP is the client-side connection's state, for TCP flows past the
	// handshake.
	TCP *tcpView `json:",omitempty"`
}

// tcpView is the part of tcp.Info the page shows.
type tcpView struct {
	State        string
	SRTT, MinRTT string
	Cwnd         int
	InFlight     int
	SendBuffered int
	RecvBuffered int
	Retransmits  uint64
}

func sortFlows(fs []*flow) {
	slices.SortFunc(fs, func(a, b *flow) int { return cmp.Compare(a.id, b.id) })
}

// snapshot builds the current snapshot, with the flows if withFlows.
func (s *server) snapshot(withFlows bool) snapshot {
	now := time.Now()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	snap := snapshot{
		Time:      now,
		Uptime:    now.Sub(s.started).Round(time.Second).String(),
		Counters:  s.stats.view(),
		Forwarder: s.fwd.Stats(),
		Memory: memView{
			HeapAlloc: ms.HeapAlloc, HeapInuse: ms.HeapInuse, StackInuse: ms.StackInuse,
			Sys: ms.Sys, Goroutines: runtime.NumGoroutine(),
		},
	}
	if !withFlows {
		return snap
	}
	for _, f := range s.flows.list() {
		age := now.Sub(f.started)
		v := flowView{
			ID: f.id, Proto: f.proto, Src: f.src.String(),
			BytesUp: f.up.Load(), BytesDown: f.down.Load(),
			AgeSeconds: age.Seconds(), Age: age.Round(time.Millisecond).String(),
			Peers: f.peers.Load(),
		}
		v.State, _ = f.phase.Load().(string)
		switch dst := f.destination(); {
		case !dst.IsValid():
			v.Dst = "-"
		case f.proto == "icmp":
			v.Dst = dst.Addr().String()
		default:
			v.Dst = dst.String()
		}
		if c := f.tcp.Load(); c != nil {
			info := c.Info()
			v.TCP = &tcpView{
				State: info.State.String(),
				SRTT:  info.SRTT.String(), MinRTT: info.MinRTT.String(),
				Cwnd: info.Cwnd, InFlight: info.InFlight,
				SendBuffered: info.SendBuffered, RecvBuffered: info.RecvBuffered,
				Retransmits: info.Retransmits,
			}
		}
		snap.Flows = append(snap.Flows, v)
	}
	return snap
}

// statusHandler serves the snapshot: an HTML table, or JSON with
// ?format=json; ?flows=0 leaves the flows out.
func (s *server) statusHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.snapshot(r.URL.Query().Get("flows") != "0")
		if r.URL.Query().Get("format") == "json" {
			w.Header().Set("Content-Type", "application/json")
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.Encode(snap)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		statusPage.Execute(w, snap)
	})
}

var statusPage = template.Must(template.New("status").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>tun2socks</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}td.l,th{text-align:left}</style>
</head><body>
<h1>tun2socks</h1>
<p>{{.Time.Format "2006-01-02 15:04:05"}}, up {{.Uptime}}, {{len .Flows}} flows. <a href="?format=json">JSON</a></p>
{{with .Counters}}<p>TCP: {{.TCPRelayed}} relayed, {{.TCPRefused}} refused, {{.TCPUnreachable}} unreachable, {{.TCPTimedOut}} timed out, {{.TCPAborted}} aborted;
{{.TCPBytesUp}} bytes up, {{.TCPBytesDown}} down.<br>
UDP: {{.UDPFlows}} flows, {{.UDPRefused}} refused, {{.UDPUnreachable}} unreachable; {{.UDPPacketsUp}} datagrams up, {{.UDPPacketsDown}} down.<br>
Ping: {{.EchoRequests}} sent, {{.EchoReplies}} replies, {{.EchoUnanswered}} unanswered, {{.EchoFailed}} failed.</p>{{end}}
{{with .Memory}}<p>Memory: {{.HeapAlloc}} bytes of heap allocated, {{.StackInuse}} of stacks, {{.Sys}} from the OS; {{.Goroutines}} goroutines.</p>{{end}}
{{with .Forwarder}}<p>Forwarder: {{.PendingTCP}} pending TCP, {{.UDPFlows}} UDP flows, {{.PendingEcho}} pending echo; {{.TCPRequests}} TCP requests,
{{.TCPOverLimit}} over limit, {{.TCPExpired}} expired; {{.UDPOverLimit}} UDP over limit, {{.UDPQueueFull}} queue full; {{.EchoDropped}} echo dropped.</p>{{end}}
<table>
<tr><th>#</th><th>proto</th><th>client</th><th>destination</th><th>state</th><th>up</th><th>down</th><th>age</th><th>tcp</th><th>srtt</th><th>cwnd</th><th>in flight</th><th>retrans</th></tr>
{{range .Flows}}<tr><td>{{.ID}}</td><td class="l">{{.Proto}}</td><td class="l">{{.Src}}</td><td class="l">{{.Dst}}{{if .Peers}} ({{.Peers}}){{end}}</td><td class="l">{{.State}}</td>
<td>{{.BytesUp}}</td><td>{{.BytesDown}}</td><td>{{.Age}}</td>{{with .TCP}}<td class="l">{{.State}}</td><td>{{.SRTT}}</td><td>{{.Cwnd}}</td><td>{{.InFlight}}</td><td>{{.Retransmits}}</td>{{else}}<td></td><td></td><td></td><td></td><td></td>{{end}}</tr>
{{end}}</table>
</body></html>
`))
