// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// CoreDNS with the few plugins the local real node needs: cluster names from
// the Kubernetes API (kubernetes), answers from memory (cache), a refusal for
// every other name (no forward: pod DNS never leaves this machine), and the
// health/ready endpoints the launcher polls.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/ready"
)

// The order in which plugins see a query, as in CoreDNS's plugin.cfg.
var directives = []string{
	"bind",
	"ready",
	"health",
	"errors",
	"log",
	"cache",
	"loadbalance",
	"kubernetes",
}

func main() {
	dnsserver.Directives = directives
	coremain.Run()
}
