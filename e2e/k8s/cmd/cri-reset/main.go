// Command cri-reset stops and removes every pod sandbox a container runtime holds, over the CRI — what
// a kubelet does to a pod it no longer wants: containers stopped, the network torn down through CNI
// DEL, the sandbox's shm and network namespace unmounted. The e2e real-node tier runs it before
// stopping a node's containerd, so nothing outlives the node.
//
// Usage: cri-reset --endpoint=unix:///path/containerd.sock
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func run() error {
	endpoint := flag.String("endpoint", "", "the runtime's CRI socket, unix:///…")
	flag.Parse()
	if *endpoint == "" {
		return fmt.Errorf("--endpoint is required")
	}
	conn, err := grpc.NewClient(*endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	client := runtimeapi.NewRuntimeServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sandboxes, err := client.ListPodSandbox(ctx, &runtimeapi.ListPodSandboxRequest{})
	if err != nil {
		return fmt.Errorf("list pod sandboxes: %w", err)
	}
	failed := 0
	for _, sandbox := range sandboxes.Items {
		if _, err := client.StopPodSandbox(ctx, &runtimeapi.StopPodSandboxRequest{PodSandboxId: sandbox.Id}); err != nil {
			fmt.Fprintf(os.Stderr, "stop %s: %v\n", sandbox.Id, err)
			failed++
			continue
		}
		if _, err := client.RemovePodSandbox(ctx, &runtimeapi.RemovePodSandboxRequest{PodSandboxId: sandbox.Id}); err != nil {
			fmt.Fprintf(os.Stderr, "remove %s: %v\n", sandbox.Id, err)
			failed++
		}
	}
	fmt.Printf("removed %d of %d pod sandboxes\n", len(sandboxes.Items)-failed, len(sandboxes.Items))
	if failed > 0 {
		return fmt.Errorf("%d sandboxes not removed", failed)
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cri-reset:", err)
		os.Exit(1)
	}
}
