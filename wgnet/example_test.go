package wgnet_test

import (
	"io"
	"log"
	"net/http"
	"net/netip"

	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"

	"github.com/renet-go/renet/wgnet"
)

// A WireGuard client whose traffic never touches the host's network
// stack: wireguard-go's example http_client.go, with one import changed.
func ExampleCreateNetTUN() {
	tun, tnet, err := wgnet.CreateNetTUN(
		[]netip.Addr{netip.MustParseAddr("192.168.4.28")},
		[]netip.Addr{netip.MustParseAddr("8.8.8.8")},
		1420)
	if err != nil {
		log.Panic(err)
	}
	dev := device.NewDevice(tun, conn.NewDefaultBind(), device.NewLogger(device.LogLevelError, ""))
	err = dev.IpcSet(`private_key=087ec6e14bbed210e7215cdc73468dfa23f080a1bfb8665b2fd809bd99d28379
public_key=c4c8e984c5322c8184c72265b92b250fdb63688705f504ba003c88f03393cf28
allowed_ip=0.0.0.0/0
endpoint=127.0.0.1:58120
`)
	if err != nil {
		log.Panic(err)
	}
	if err := dev.Up(); err != nil {
		log.Panic(err)
	}

	client := http.Client{Transport: &http.Transport{DialContext: tnet.DialContext}}
	resp, err := client.Get("http://192.168.4.29/")
	if err != nil {
		log.Panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	log.Println(string(body))
}
