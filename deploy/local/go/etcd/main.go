// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Command etcd is a thin entry point over the etcd server library, so the
// local control plane runs the same etcd release that k8s.io/kubernetes
// itself depends on.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
