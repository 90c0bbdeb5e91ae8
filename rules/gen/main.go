// Command gen writes docs/rules from the rule definitions: go generate ./rules.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfgate/tfgate/rules"
)

func main() {
	out := flag.String("out", "docs/rules", "output directory")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for name, content := range rules.GenerateDocs(rules.All()) {
		if err := os.WriteFile(filepath.Join(*out, name), []byte(content), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
