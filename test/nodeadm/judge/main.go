// rafter's nodeadm judge: reads user data on stdin and hands it to nodeadm's own code, the way
// `nodeadm init` loads its configuration on an instance, then prints the merged NodeConfig as JSON.
//
// The script copies this file into a scratch copy of the nodeadm module (cmd/rafter-judge/), so the
// module's internal packages are importable. nodeadm's code that runs, unchanged:
//   - configprovider.BuildConfigProvider("imds://user-data") and its Provide(): IMDS user data read
//     through the AWS SDK's IMDS client (served here by a local HTTP server standing in for IMDS),
//     getMIMEMultipartReader, parseMultipart (MIME parts of type application/node.eks.aws), and
//     bridge.DecodeNodeConfig per part, and NodeConfig.Merge (mergo + its kubelet transformer) in order;
//   - api.ValidateNodeConfig (cluster name, endpoint, CA, CIDR);
//   - ClusterDetails.GetClusterDns (the cluster DNS address the kubelet config gets from the CIDR).
// Added by rafter, because this nodeadm version's decoder is lenient: every NodeConfig part is also
// decoded strictly with nodeadm's v1alpha1 scheme (unknown fields are errors), and the merged kubelet
// config is decoded strictly into the kubelet's KubeletConfiguration v1beta1 (k8s.io/kubelet).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"strings"

	"github.com/awslabs/amazon-eks-ami/nodeadm/api/v1alpha1"
	internalapi "github.com/awslabs/amazon-eks-ami/nodeadm/internal/api"
	"github.com/awslabs/amazon-eks-ami/nodeadm/internal/configprovider"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	kubeletv1beta1 "k8s.io/kubelet/config/v1beta1"
)

type verdict struct {
	Valid      bool                    `json:"valid"`
	Stage      string                  `json:"stage,omitempty"`
	Error      string                  `json:"error,omitempty"`
	Config     *internalapi.NodeConfig `json:"config,omitempty"`
	ClusterDNS string                  `json:"clusterDNS,omitempty"`
	Parts      int                     `json:"nodeConfigParts"`
}

func fail(out verdict, stage string, err error) {
	out.Valid = false
	out.Stage = stage
	out.Error = err.Error()
	emit(out)
	os.Exit(1)
}

func emit(out verdict) {
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	_ = encoder.Encode(out)
}

// fakeIMDS serves IMDSv2's token and the user data, the two calls nodeadm's provider makes.
func fakeIMDS(userData []byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			_, _ = w.Write([]byte("rafter-judge-token"))
		case r.Method == http.MethodGet && r.URL.Path == "/latest/user-data":
			_, _ = w.Write(userData)
		default:
			http.NotFound(w, r)
		}
	}))
}

// nodeConfigParts returns the application/node.eks.aws parts (or the whole document when it is not
// multipart), as nodeadm's provider selects them.
func nodeConfigParts(userData []byte) ([][]byte, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(userData))
	if err != nil {
		return [][]byte{userData}, nil
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mediaType, "multipart/") {
		return [][]byte{userData}, nil
	}
	reader := multipart.NewReader(msg.Body, params["boundary"])
	var parts [][]byte
	for {
		part, err := reader.NextPart()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			return nil, err
		}
		partType, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if partType == "application/node.eks.aws" {
			body, err := io.ReadAll(part)
			if err != nil {
				return nil, err
			}
			parts = append(parts, body)
		}
	}
}

func strictDecode(part []byte) error {
	scheme := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(scheme); err != nil {
		return err
	}
	codecs := serializer.NewCodecFactory(scheme, serializer.EnableStrict)
	_, _, err := codecs.UniversalDeserializer().Decode(part, nil, &v1alpha1.NodeConfig{})
	return err
}

func strictKubeletConfig(config internalapi.InlineDocument) error {
	raw, err := json.Marshal(config)
	if err != nil {
		return err
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.DisallowUnknownFields()
	var kubelet kubeletv1beta1.KubeletConfiguration
	return decoder.Decode(&kubelet)
}

func main() {
	userData, err := io.ReadAll(os.Stdin)
	out := verdict{}
	if err != nil {
		fail(out, "read", err)
	}
	server := fakeIMDS(userData)
	defer server.Close()
	os.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.URL)

	provider, err := configprovider.BuildConfigProvider("imds://user-data")
	if err != nil {
		fail(out, "provider", err)
	}
	config, err := provider.Provide()
	if err != nil {
		fail(out, "provide", err)
	}
	out.Config = config
	if err := internalapi.ValidateNodeConfig(config); err != nil {
		fail(out, "validate", err)
	}
	parts, err := nodeConfigParts(userData)
	if err != nil {
		fail(out, "parts", err)
	}
	out.Parts = len(parts)
	for index, part := range parts {
		if err := strictDecode(part); err != nil {
			fail(out, "strict", fmt.Errorf("NodeConfig part %d: %w", index, err))
		}
	}
	if err := strictKubeletConfig(config.Spec.Kubelet.Config); err != nil {
		fail(out, "kubelet-config", err)
	}
	dns, err := config.Spec.Cluster.GetClusterDns()
	if err != nil {
		fail(out, "cluster-dns", err)
	}
	out.ClusterDNS = dns
	out.Valid = true
	emit(out)
}
