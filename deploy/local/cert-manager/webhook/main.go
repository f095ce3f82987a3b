// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Command webhook serves cert-manager's admission webhook (validation of every
// cert-manager.io and acme.cert-manager.io resource, and the mutation that
// stamps the requester's identity on CertificateRequests) as a host process of
// the local control plane. It takes the flags of cert-manager's webhook
// options package; the launcher passes a serving certificate from its own
// PKI (--tls-cert-file, --tls-private-key-file) and registers the webhook
// with a URL and caBundle.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/cert-manager/cert-manager/internal/apis/config/webhook/validation"
	cmwebhook "github.com/cert-manager/cert-manager/internal/webhook"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"
	"github.com/cert-manager/cert-manager/pkg/webhook/options"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	logf.FlushLogs()
	if errors.Is(err, pflag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cert-manager-webhook: %v\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	logf.InitLogs()
	ctrl.SetLogger(logf.Log)
	cfg, err := options.NewWebhookConfiguration()
	if err != nil {
		return fmt.Errorf("default configuration: %w", err)
	}
	fs := pflag.NewFlagSet("cert-manager-webhook", pflag.ContinueOnError)
	options.AddConfigFlags(fs, cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(cfg.FeatureGates); err != nil {
		return fmt.Errorf("feature gates: %w", err)
	}
	if errs := validation.ValidateWebhookConfiguration(cfg, nil); len(errs) > 0 {
		return fmt.Errorf("invalid configuration: %w", errs.ToAggregate())
	}
	if err := logf.ValidateAndApply(&cfg.Logging); err != nil {
		return fmt.Errorf("logging flags: %w", err)
	}

	ctx = logf.NewContext(ctx, logf.Log, "webhook")
	log := logf.FromContext(ctx)
	version := util.VersionInfo()
	log.Info("starting cert-manager webhook", "version", version.GitVersion, "go_version", version.GoVersion)
	server, err := cmwebhook.NewCertManagerWebhookServer(log, *cfg)
	if err != nil {
		return err
	}
	return server.Run(ctx)
}
