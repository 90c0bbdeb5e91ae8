// Command genmonorepo writes the benchmark monorepo of package monorepo:
//
//	go run ./analyzer/monorepo/cmd/genmonorepo -modules 2000 DIR
//
// Half the modules are reusable modules under DIR/modules, half are roots
// under DIR/live that call two of them; 2,000 modules make 10,000 files.
// DIR must not exist or be empty, so that a stale tree is never measured.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tfgate/tfgate/analyzer/monorepo"
)

func main() {
	modules := flag.Int("modules", 2000, "number of modules: half reusable, half roots")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: genmonorepo [-modules N] DIR\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 || *modules < 2 {
		flag.Usage()
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		fmt.Fprintf(os.Stderr, "genmonorepo: %s is not empty\n", dir)
		os.Exit(1)
	}
	l := monorepo.Layout{Modules: *modules}
	if err := monorepo.Generate(dir, l); err != nil {
		fmt.Fprintf(os.Stderr, "genmonorepo: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d modules, %d files in %s\n", *modules, l.Files(), dir)
}
