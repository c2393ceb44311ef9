// Package apiserver runs a real Kubernetes API server in-process for tests and the demo: an embedded etcd
// plus k8s.io/apiextensions-apiserver with the Hedgehog fabric CRDs installed, behind a small TLS front
// that adds core ConfigMaps (the only core resource the provider reads). Several servers may run in one
// process.
package apiserver

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"google.golang.org/grpc/grpclog"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	extensionsapiserver "k8s.io/apiextensions-apiserver/pkg/apiserver"
	apiextclient "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	"k8s.io/apiextensions-apiserver/pkg/cmd/server/options"
	generatedopenapi "k8s.io/apiextensions-apiserver/pkg/generated/openapi"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/util/compatibility"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/apiserver/pkg/util/openapi"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	basecompatibility "k8s.io/component-base/compatibility"
	"k8s.io/klog/v2"
	"sigs.k8s.io/yaml"

	"github.com/githedgehog/terraform-provider-hedgehog/internal/fabric/crds"
)

// Server is one running API server. URL, CAData and the tokens are what clients need.
type Server struct {
	// URL is the front's https URL; the kubeconfig and RESTConfig point here.
	URL string
	// APIServerURL is the apiextensions-apiserver's own https URL (no core ConfigMaps there).
	APIServerURL string
	// CAData is the PEM of the test CA that signs every certificate here.
	CAData []byte
	// AdminToken is allowed everything; DeniedToken authenticates but is denied (403). Others get 401.
	AdminToken, DeniedToken string
	// ClientCertData and ClientKeyData are an admin client certificate (system:masters) signed by the CA.
	ClientCertData, ClientKeyData []byte
	// StartDuration is how long Start took (etcd, API server, CRDs installed and Established).
	StartDuration time.Duration

	dir      string
	cancel   context.CancelFunc
	errCh    chan error
	etcd     *embed.Etcd
	delegate *delegate
	ca       *testCA
	opts     Options
	frontSrv *http.Server
	front    *front
	stopOnce sync.Once
}

var quietOnce sync.Once

// quiet silences klog, grpc and the apiserver's own logging for the whole process.
func quiet() {
	quietOnce.Do(func() {
		klog.SetLogger(logr.Discard())
		klog.LogToStderr(false)
		klog.SetOutput(io.Discard)
		grpclog.SetLoggerV2(grpclog.NewLoggerV2(io.Discard, io.Discard, io.Discard))
	})
}

// Options select optional parts of the server.
type Options struct {
	// AdmissionWebhooks enables the admission plugin ValidatingAdmissionWebhook (every other admission
	// plugin stays off): the API server then calls the validating webhooks registered with
	// ServeValidatingWebhook, for real requests and dry runs alike. The ValidatingWebhookConfigurations
	// are served to the plugin's informer by the core stub the server delegates to.
	AdmissionWebhooks bool
}

// Start starts etcd, the API server and the front, installs the fabric CRDs and waits until they are
// Established (and past the API server's 2 s "just established" create delay). ctx bounds the startup
// only; call Stop to shut down.
func Start(ctx context.Context) (*Server, error) { return StartWith(ctx, Options{}) }

// StartWith is Start with options.
func StartWith(ctx context.Context, opts Options) (_ *Server, err error) {
	t0 := time.Now()
	quiet()
	s := &Server{AdminToken: randToken(), DeniedToken: randToken(), opts: opts}
	defer func() {
		if err != nil {
			s.Stop()
		}
	}()
	if s.dir, err = os.MkdirTemp("", "hh-apiserver-"); err != nil {
		return nil, err
	}
	ca, err := newTestCA()
	if err != nil {
		return nil, err
	}
	s.CAData = ca.certPEM
	s.ca = ca
	servCert, servKey, err := ca.issue("127.0.0.1", nil, true)
	if err != nil {
		return nil, err
	}
	if s.ClientCertData, s.ClientKeyData, err = ca.issue("admin", []string{"system:masters"}, false); err != nil {
		return nil, err
	}
	files := map[string][]byte{"ca.crt": ca.certPEM, "tls.crt": servCert, "tls.key": servKey}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(s.dir, n), b, 0o600); err != nil {
			return nil, err
		}
	}

	// The stand-in core API server for authn/authz delegation and the Services informer.
	del := newDelegate(s.AdminToken, s.DeniedToken)
	s.delegate = del
	delKubeconfig := filepath.Join(s.dir, "delegate.kubeconfig")
	if err := clientcmd.WriteToFile(*kubeconfig(del.URL, nil, "", nil, nil), delKubeconfig); err != nil {
		return nil, err
	}

	etcdURL, err := s.startEtcd(ctx)
	if err != nil {
		return nil, fmt.Errorf("start etcd: %w", err)
	}
	if err := s.startAPIServer(ctx, etcdURL, delKubeconfig); err != nil {
		return nil, fmt.Errorf("start apiextensions-apiserver: %w", err)
	}

	// The front, serving with the same certificate.
	cert, err := tlsCert(servCert, servKey)
	if err != nil {
		return nil, err
	}
	target, _ := url.Parse(s.APIServerURL)
	s.front = newFront(target, &tls.Config{RootCAs: ca.pool(), MinVersion: tls.VersionTLS12}, s.AdminToken, s.DeniedToken)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.frontSrv = &http.Server{Handler: s.front, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: log.New(io.Discard, "", 0), TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: ca.pool(),
			ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}}
	s.URL = "https://" + ln.Addr().String()
	go func() { _ = s.frontSrv.ServeTLS(ln, "", "") }()

	if err := s.installCRDs(ctx); err != nil {
		return nil, fmt.Errorf("install CRDs: %w", err)
	}
	s.StartDuration = time.Since(t0)
	return s, nil
}

func (s *Server) startEtcd(ctx context.Context) (string, error) {
	cfg := embed.NewConfig()
	cfg.Dir = filepath.Join(s.dir, "etcd")
	u, _ := url.Parse("http://127.0.0.1:0")
	pu, _ := url.Parse("http://127.0.0.1:0")
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{*u}, []url.URL{*u}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{*pu}, []url.URL{*pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.UnsafeNoFsync = true
	cfg.Logger = "zap"
	cfg.LogLevel = "error"
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return "", err
	}
	s.etcd = e
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		return "", err
	case <-ctx.Done():
		return "", ctx.Err()
	case <-time.After(time.Minute):
		return "", errors.New("etcd not ready after 1m")
	}
	return "http://" + e.Clients[0].Addr().String(), nil
}

func (s *Server) startAPIServer(ctx context.Context, etcdURL, delKubeconfig string) error {
	o := options.NewCustomResourceDefinitionsServerOptions(io.Discard, io.Discard)
	// A registry of its own, so that several servers can run in one process.
	featureGate := utilfeature.DefaultMutableFeatureGate.DeepCopy()
	effectiveVersion := compatibility.DefaultKubeEffectiveVersionForTest()
	effectiveVersion.SetEmulationVersion(featureGate.EmulationVersion())
	reg := basecompatibility.NewComponentGlobalsRegistry()
	if err := reg.Register(basecompatibility.DefaultKubeComponent, effectiveVersion, featureGate); err != nil {
		return err
	}
	o.ServerRunOptions.ComponentGlobalsRegistry = reg
	fs := pflag.NewFlagSet("apiextensions-apiserver", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.AddFlags(fs)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ss := o.RecommendedOptions.SecureServing
	ss.Listener, ss.BindPort, ss.BindAddress = ln, port, net.ParseIP("127.0.0.1")
	ss.ExternalAddress = net.ParseIP("127.0.0.1")
	s.APIServerURL = "https://127.0.0.1:" + strconv.Itoa(port)

	args := []string{
		"--etcd-servers=" + etcdURL,
		"--tls-cert-file=" + filepath.Join(s.dir, "tls.crt"),
		"--tls-private-key-file=" + filepath.Join(s.dir, "tls.key"),
		"--client-ca-file=" + filepath.Join(s.dir, "ca.crt"),
		"--authentication-kubeconfig=" + delKubeconfig,
		"--authorization-kubeconfig=" + delKubeconfig,
		"--kubeconfig=" + delKubeconfig,
		"--authentication-skip-lookup=true",
		"--enable-priority-and-fairness=false",
	}
	// Every default plugin needs core objects (namespaces, webhooks, admission policies): all are off,
	// except the validating webhooks when asked for (the core stub serves what their informers read).
	plugins := o.RecommendedOptions.Admission.RecommendedPluginOrder
	if s.opts.AdmissionWebhooks {
		var off []string
		for _, p := range plugins {
			if p != validatingWebhookPlugin {
				off = append(off, p)
			}
		}
		args = append(args, "--enable-admission-plugins="+validatingWebhookPlugin, "--disable-admission-plugins="+strings.Join(off, ","))
	} else {
		args = append(args, "--disable-admission-plugins="+strings.Join(plugins, ","))
	}
	err = fs.Parse(args)
	if err != nil {
		_ = ln.Close()
		return err
	}
	if err := reg.Set(); err != nil {
		return err
	}
	if err := o.Complete(); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	config, err := o.Config()
	if err != nil {
		return err
	}
	config.GenericConfig.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(
		openapi.GetOpenAPIDefinitionsWithoutDisabledFeatures(generatedopenapi.GetOpenAPIDefinitions),
		openapinamer.NewDefinitionNamer(extensionsapiserver.Scheme))
	completed := config.Complete()
	// Complete switches discovery off; client-go discovery and RESTMappers need /apis.
	completed.GenericConfig.EnableDiscovery = true
	server, err := completed.New(genericapiserver.NewEmptyDelegate())
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.errCh = make(chan error, 1)
	go func() {
		defer close(s.errCh)
		if err := server.GenericAPIServer.PrepareRun().RunWithContext(runCtx); err != nil {
			s.errCh <- err
		}
	}()

	// Wait for /healthz (readyz stays 500 without a core API server).
	hc, err := rest.HTTPClientFor(s.restConfig(s.APIServerURL))
	if err != nil {
		return err
	}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.APIServerURL+"/healthz", nil)
		if resp, err := hc.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err, ok := <-s.errCh:
			if !ok {
				err = errors.New("server exited")
			}
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// installCRDs creates every embedded CRD and waits until all are Established and more than 2 s past it.
func (s *Server) installCRDs(ctx context.Context) error {
	cs, err := apiextclient.NewForConfig(s.RESTConfig())
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for name, b := range crds.All() {
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if _, err := cs.ApiextensionsV1().CustomResourceDefinitions().Create(ctx, &crd, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		want[crd.Name] = true
	}
	for {
		list, err := cs.ApiextensionsV1().CustomResourceDefinitions().List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		var latest time.Time
		n := 0
		for _, crd := range list.Items {
			for _, c := range crd.Status.Conditions {
				if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue && want[crd.Name] {
					n++
					if c.LastTransitionTime.After(latest) {
						latest = c.LastTransitionTime.Time
					}
				}
			}
		}
		if n == len(want) {
			// Creates within 2 s of Established sleep 2 s upstream; get past that window now.
			if d := time.Until(latest.Add(2*time.Second + 10*time.Millisecond)); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Stop shuts everything down and removes the temporary directory. It is safe to call more than once.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.frontSrv != nil {
			_ = s.frontSrv.Close()
		}
		if s.cancel != nil {
			s.cancel()
			select {
			case <-s.errCh:
			case <-time.After(30 * time.Second):
			}
		}
		if s.etcd != nil {
			s.etcd.Close()
		}
		if s.delegate != nil {
			s.delegate.Close()
		}
		if s.dir != "" {
			_ = os.RemoveAll(s.dir)
		}
	})
}

// SetConfigMap creates or replaces a core ConfigMap served by the front.
func (s *Server) SetConfigMap(ns, name string, data map[string]string) {
	s.front.mu.Lock()
	defer s.front.mu.Unlock()
	md := map[string]any{}
	if old, ok := s.front.cms[ns+"/"+name]; ok {
		omd := old["metadata"].(map[string]any)
		md["uid"], md["creationTimestamp"] = omd["uid"], omd["creationTimestamp"]
	}
	d := map[string]any{}
	for k, v := range data {
		d[k] = v
	}
	s.front.store(ns, name, md, d)
}

// RESTConfig returns an admin (token) client configuration for the front.
func (s *Server) RESTConfig() *rest.Config { return s.restConfig(s.URL) }

func (s *Server) restConfig(host string) *rest.Config {
	return &rest.Config{Host: host, BearerToken: s.AdminToken, QPS: 1000, Burst: 2000,
		TLSClientConfig: rest.TLSClientConfig{CAData: s.CAData}}
}

// Kubeconfig returns a kubeconfig for the front with the admin token, context "test".
func (s *Server) Kubeconfig() []byte {
	b, _ := clientcmd.Write(*kubeconfig(s.URL, s.CAData, s.AdminToken, nil, nil))
	return b
}

// WriteKubeconfig writes Kubeconfig to dir/kubeconfig and returns the path.
func (s *Server) WriteKubeconfig(dir string) (string, error) {
	p := filepath.Join(dir, "kubeconfig")
	return p, os.WriteFile(p, s.Kubeconfig(), 0o600)
}

func kubeconfig(server string, ca []byte, token string, cert, key []byte) *clientcmdapi.Config {
	c := clientcmdapi.NewConfig()
	c.Clusters["test"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: ca}
	c.AuthInfos["test"] = &clientcmdapi.AuthInfo{Token: token, ClientCertificateData: cert, ClientKeyData: key}
	c.Contexts["test"] = &clientcmdapi.Context{Cluster: "test", AuthInfo: "test", Namespace: "default"}
	c.CurrentContext = "test"
	return c
}

func randToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
