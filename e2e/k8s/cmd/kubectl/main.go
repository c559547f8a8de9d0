// Command kubectl runs the upstream kubectl from its Go module, for rafter's local e2e control plane.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubectl/pkg/cmd"
)

func main() {
	command := cmd.NewDefaultKubectlCommand()
	if err := cli.RunNoErrOutput(command); err != nil {
		os.Exit(1)
	}
}
