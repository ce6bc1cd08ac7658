package cc

import (
	"errors"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"", "cubic"},
		{"cubic", "cubic"},
		{"reno", "reno"},
	}
	for _, tt := range tests {
		c, err := New(tt.name, 1460)
		if err != nil {
			t.Fatalf("New(%q): %v", tt.name, err)
		}
		if c.Name() != tt.want {
			t.Errorf("New(%q).Name() = %q, want %q", tt.name, c.Name(), tt.want)
		}
		if c.Window() != 14600 || c.Threshold() != MaxWindow {
			t.Errorf("New(%q): cwnd %d ssthresh %d, want 14600 and MaxWindow", tt.name, c.Window(), c.Threshold())
		}
	}
	_, err := New("bbr", 1460)
	if !errors.Is(err, ErrUnknown) {
		t.Fatalf("New(bbr) error %v, want ErrUnknown", err)
	}
	for _, known := range []string{"cubic", "reno", "bbr"} {
		if !strings.Contains(err.Error(), known) {
			t.Errorf("New(bbr) error %q does not mention %q", err, known)
		}
	}
}

// RFC 6928 §2: IW = min(10*SMSS, max(2*SMSS, 14600)).
func TestInitialWindow(t *testing.T) {
	tests := []struct{ smss, want int }{
		{1460, 14600},
		{1000, 10000},
		{536, 5360},
		{1500, 14600},
		{9000, 18000},
		{0, 10}, // clamped to one byte: never a zero window
		{-5, 10},
	}
	for _, tt := range tests {
		if got := InitialWindow(tt.smss); got != tt.want {
			t.Errorf("InitialWindow(%d) = %d, want %d", tt.smss, got, tt.want)
		}
	}
}
