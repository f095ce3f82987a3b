// Copyright 2026 The rustfs-operator Authors.
// SPDX-License-Identifier: Apache-2.0

// Command controller runs cert-manager's control loops outside any cluster,
// against the local control plane named by --kubeconfig: the default set the
// upstream cert-manager-controller image runs, less the Venafi issuer (its
// client library, github.com/Venafi/vcert/v5 v5.13, is not served by the
// module proxy this project builds from). Leader election, the metrics and
// the healthz servers are left out: there is exactly one instance, and the
// launcher judges readiness by an issuer becoming Ready.
//
// The values not exposed as flags are cert-manager's documented defaults for
// ControllerConfiguration (v1alpha1).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"
	"k8s.io/apimachinery/pkg/api/resource"
	cliflag "k8s.io/component-base/cli/flag"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/cert-manager/cert-manager/pkg/controller"
	"github.com/cert-manager/cert-manager/pkg/controller/acmechallenges"
	"github.com/cert-manager/cert-manager/pkg/controller/acmeorders"
	ingresses "github.com/cert-manager/cert-manager/pkg/controller/certificate-shim/ingresses"
	cracme "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/acme"
	crapprover "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	crca "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	crselfsigned "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	crvault "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/vault"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	certmetrics "github.com/cert-manager/cert-manager/pkg/controller/certificates/metrics"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	"github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	"github.com/cert-manager/cert-manager/pkg/controller/issuers"
	dnsutil "github.com/cert-manager/cert-manager/pkg/issuer/acme/dns/util"
	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/cert-manager/cert-manager/pkg/util"
	utilfeature "github.com/cert-manager/cert-manager/pkg/util/feature"

	// Issuer implementations register themselves with the issuer factory.
	_ "github.com/cert-manager/cert-manager/pkg/issuer/acme"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/vault"
)

// defaultControllers is what "*" selects: cert-manager's default set without
// the Venafi CertificateRequest controller. Importing each package above is
// what registers it with controller.Known().
var defaultControllers = []string{
	issuers.ControllerName,
	clusterissuers.ControllerName,
	certmetrics.ControllerName,
	ingresses.ControllerName,
	acmeorders.ControllerName,
	acmechallenges.ControllerName,
	cracme.CRControllerName,
	crapprover.ControllerName,
	crca.CRControllerName,
	crselfsigned.CRControllerName,
	crvault.CRControllerName,
	trigger.ControllerName,
	issuing.ControllerName,
	keymanager.ControllerName,
	requestmanager.ControllerName,
	readiness.ControllerName,
	revisionmanager.ControllerName,
}

type flags struct {
	kubeconfig               string
	clusterResourceNamespace string
	controllers              []string
	workers                  int
	featureGates             map[string]bool
	logging                  *logsapi.LoggingConfiguration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	logf.FlushLogs()
	if errors.Is(err, pflag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "cert-manager-controller: %v\n", err)
		os.Exit(1)
	}
}

func parse(args []string) (*flags, error) {
	f := &flags{logging: logsapi.NewLoggingConfiguration()}
	fs := pflag.NewFlagSet("cert-manager-controller", pflag.ContinueOnError)
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig of the cluster to manage (required)")
	fs.StringVar(&f.clusterResourceNamespace, "cluster-resource-namespace", "kube-system",
		"namespace holding the Secrets that ClusterIssuers refer to")
	fs.StringSliceVar(&f.controllers, "controllers", []string{"*"},
		"controllers to run: '*' for the default set, a name to add one, '-name' to drop one")
	fs.IntVar(&f.workers, "concurrent-workers", 5, "workers per controller")
	fs.Var(cliflag.NewMapStringBool(&f.featureGates), "feature-gates", "cert-manager feature gates (key=bool pairs)")
	logf.AddFlags(f.logging, fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if f.kubeconfig == "" {
		return nil, fmt.Errorf("--kubeconfig is required: this build only runs out of cluster")
	}
	if f.workers < 1 {
		return nil, fmt.Errorf("--concurrent-workers must be at least 1")
	}
	return f, nil
}

func run(ctx context.Context, args []string) error {
	logf.InitLogs()
	f, err := parse(args)
	if err != nil {
		return err
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetFromMap(f.featureGates); err != nil {
		return fmt.Errorf("feature gates: %w", err)
	}
	if err := logf.ValidateAndApply(f.logging); err != nil {
		return fmt.Errorf("logging flags: %w", err)
	}

	ctx = logf.NewContext(ctx, logf.Log, "controller")
	log := logf.FromContext(ctx)
	version := util.VersionInfo()
	log.Info("starting cert-manager controller", "version", version.GitVersion, "go_version", version.GoVersion)

	factory, err := controller.NewContextFactory(ctx, contextOptions(f))
	if err != nil {
		return fmt.Errorf("building the controller context: %w", err)
	}
	base, err := factory.Build()
	if err != nil {
		return fmt.Errorf("building the controller context: %w", err)
	}

	enabled := enabledControllers(f.controllers)
	log.Info("enabled controllers", "controllers", enabled)
	known := controller.Known()
	group, ctx := errgroup.WithContext(ctx)
	// Every controller is constructed (which registers its informers) before
	// the informer factories start, so they start with all of them.
	for _, name := range enabled {
		construct, ok := known[name]
		if !ok {
			return fmt.Errorf("unknown controller %q", name)
		}
		loop, err := construct(factory)
		if err != nil {
			return fmt.Errorf("creating controller %s: %w", name, err)
		}
		group.Go(func() error {
			if err := loop.Run(f.workers, ctx); err != nil {
				return fmt.Errorf("controller %s: %w", name, err)
			}
			return nil
		})
	}
	base.SharedInformerFactory.Start(ctx.Done())
	base.KubeSharedInformerFactory.Start(ctx.Done())
	base.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())

	err = group.Wait()
	base.HTTP01ResourceMetadataInformersFactory.Shutdown()
	base.KubeSharedInformerFactory.Shutdown()
	base.SharedInformerFactory.Shutdown()
	log.Info("control loops exited")
	return err
}

// enabledControllers resolves the --controllers list: "*" stands for the
// default set, "-name" removes a controller. Sorted.
func enabledControllers(spec []string) []string {
	set := map[string]bool{}
	var drop []string
	for _, item := range spec {
		switch {
		case item == "*":
			for _, name := range defaultControllers {
				set[name] = true
			}
		case strings.HasPrefix(item, "-"):
			drop = append(drop, strings.TrimPrefix(item, "-"))
		case item != "":
			set[item] = true
		}
	}
	for _, name := range drop {
		delete(set, name)
	}
	names := make([]string, 0, len(set))
	for name := range set {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// contextOptions fills cert-manager's controller context options: the flags,
// and for everything else the ControllerConfiguration defaults.
func contextOptions(f *flags) controller.ContextOptions {
	return controller.ContextOptions{
		Kubeconfig:         f.kubeconfig,
		KubernetesAPIQPS:   20,
		KubernetesAPIBurst: 50,
		IssuerOptions: controller.IssuerOptions{
			ClusterResourceNamespace:        f.clusterResourceNamespace,
			ClusterIssuerAmbientCredentials: true,
			IssuerAmbientCredentials:        false,
		},
		ACMEOptions: controller.ACMEOptions{
			HTTP01SolverImage:                 "quay.io/jetstack/cert-manager-acmesolver:" + util.AppVersion,
			HTTP01SolverResourceRequestCPU:    resource.MustParse("10m"),
			HTTP01SolverResourceRequestMemory: resource.MustParse("64Mi"),
			HTTP01SolverResourceLimitsCPU:     resource.MustParse("100m"),
			HTTP01SolverResourceLimitsMemory:  resource.MustParse("64Mi"),
			ACMEHTTP01SolverRunAsNonRoot:      true,
			DNS01Nameservers:                  dnsutil.RecursiveNameservers,
			DNS01CheckRetryPeriod:             10 * time.Second,
			DNS01CheckAuthoritative:           true,
		},
		SchedulerOptions: controller.SchedulerOptions{MaxConcurrentChallenges: 60},
		IngressShimOptions: controller.IngressShimOptions{
			DefaultIssuerKind:                 "Issuer",
			DefaultIssuerGroup:                "cert-manager.io",
			DefaultAutoCertificateAnnotations: []string{"kubernetes.io/tls-acme"},
		},
		CertificateOptions: controller.CertificateOptions{
			// Annotations copied from a Certificate to its requests: all but
			// those that kubectl and GitOps tools stamp.
			CopiedAnnotationPrefixes:                 []string{"*", "-kubectl.kubernetes.io/", "-fluxcd.io/", "-argocd.argoproj.io/"},
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
	}
}
