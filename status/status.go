// Package status renders what a renet stack holds (netstack.Snapshot) as
// a web page, for operators of a tunnel or a server: every TCP connection
// with its state, round-trip time, window and byte counts, every listener
// and UDP socket, the forwarder's flows and counters, and the stack's
// drop counters.
//
//	http.Handle("/renet", status.Handler(stack))
//
// The page is plain HTML; ?format=json returns the snapshot as JSON. The
// handler takes a snapshot per request, which holds the stack's lock for
// about a microsecond per connection: mount it where only operators reach
// it.
package status

import (
	"encoding/json"
	"html/template"
	"net/http"
	"time"

	"github.com/renet-go/renet/netstack"
)

// Handler serves the stack's status page.
func Handler(s *netstack.Stack) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.Snapshot()
		if r.URL.Query().Get("format") == "json" {
			w.Header().Set("Content-Type", "application/json")
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.Encode(snap)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := page.Execute(w, view{snap, drops(snap.Stats)}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
}

type view struct {
	netstack.Snapshot
	Drops []drop
}

type drop struct {
	Reason string
	Count  uint64
}

// drops lists the non-zero drop counters.
func drops(st netstack.Stats) []drop {
	var out []drop
	for _, r := range netstack.DropReasons() {
		if n := st.Dropped(r); n > 0 {
			out = append(out, drop{r.String(), n})
		}
	}
	return out
}

var page = template.Must(template.New("status").Funcs(template.FuncMap{
	"round": func(d time.Duration) time.Duration { return d.Round(time.Millisecond) },
}).Parse(`<!doctype html>
<title>renet status</title>
<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right}th{background:#eee}</style>
<h1>renet stack</h1>
<p>{{.Taken.Format "2006-01-02 15:04:05"}} · packets in {{.Stats.FramesIn}}, out {{.Stats.FramesOut}} · link full {{.Stats.LinkFull}} times</p>
<h2>TCP connections ({{len .TCP}})</h2>
<table><tr><th>local<th>remote<th>state<th>age<th>rtt<th>cwnd<th>in flight<th>bytes acked<th>bytes received<th>retransmits</tr>
{{range .TCP}}<tr><td>{{.Local}}<td>{{.Remote}}<td>{{.Info.State}}<td>{{round .Age}}<td>{{.Info.SRTT}}<td>{{.Info.Cwnd}}<td>{{.Info.InFlight}}<td>{{.Info.BytesAcked}}<td>{{.Info.BytesReceived}}<td>{{.Info.Retransmits}}</tr>
{{end}}</table>
<h2>Listeners ({{len .Listeners}})</h2>
<p>{{range .Listeners}}{{.}} {{end}}</p>
<h2>UDP sockets ({{len .UDP}})</h2>
<table><tr><th>local<th>remote<th>queued</tr>
{{range .UDP}}<tr><td>{{.Local}}<td>{{.Remote}}<td>{{.Queued}}</tr>
{{end}}</table>
{{with .Forwarder}}<h2>Forwarder</h2>
<p>pending TCP {{.PendingTCP}} · requests {{.TCPRequests}} · accepted {{.TCPAccepted}} · refused {{.TCPRefused}} · expired {{.TCPExpired}} · over limit {{.TCPOverLimit}}<br>
UDP flows {{.UDPFlows}} · opened {{.UDPFlowsOpened}} · expired {{.UDPFlowsExpired}} · over limit {{.UDPOverLimit}}<br>
echo requests {{.EchoRequests}} · replies {{.EchoReplies}} · dropped {{.EchoDropped}}</p>{{end}}
{{if .Flows}}<h2>UDP flows ({{len .Flows}})</h2>
<table><tr><th>client<th>age<th>idle<th>packets in<th>packets out<th>bytes in<th>bytes out</tr>
{{range .Flows}}<tr><td>{{.Client}}<td>{{round .Age}}<td>{{round .Idle}}<td>{{.PacketsIn}}<td>{{.PacketsOut}}<td>{{.BytesIn}}<td>{{.BytesOut}}</tr>
{{end}}</table>{{end}}
<h2>Drops</h2>
<table>{{range .Drops}}<tr><td>{{.Reason}}<td>{{.Count}}</tr>{{end}}</table>
`))
