// Command genmonorepo writes the benchmark monorepo of package monorepo:
//
//	go run ./analyzer/monorepo/cmd/genmonorepo -modules 2000 DIR
//	go run ./analyzer/monorepo/cmd/genmonorepo -large-file-mb 15 DIR
//	go run ./analyzer/monorepo/cmd/genmonorepo -plan-resources 15000 DIR
//
// Half the modules are reusable modules under DIR/modules, half are roots
// under DIR/live that call two of them; 2,000 modules make 10,000 files.
// With -large-file-mb, DIR is instead one root module whose main.tf has
// that many megabytes of resources (see monorepo.LargeFile). With
// -plan-resources, DIR/plan.json is a plan of that many resource changes,
// replicated from the real plan -plan-from (see monorepo.ReplicatePlan).
// DIR must not exist or be empty, so that a stale tree is never measured.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfgate/tfgate/analyzer/monorepo"
)

func main() {
	modules := flag.Int("modules", 2000, "number of modules: half reusable, half roots")
	largeMB := flag.Int("large-file-mb", 0, "write one root module with a main.tf of this many MB instead")
	planN := flag.Int("plan-resources", 0, "write DIR/plan.json with this many resource changes instead")
	planFrom := flag.String("plan-from", "fixtures/plans/tags-required/aws-default-tags/plan.json", "the plan (terraform show -json) -plan-resources replicates")
	planIndent := flag.Bool("plan-indent", false, "indent plan.json (terraform writes it on one line)")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: genmonorepo [-modules N | -large-file-mb MB | -plan-resources N [-plan-from PLAN.json]] DIR\n")
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
	if *planN > 0 {
		src, err := os.ReadFile(*planFrom)
		if err == nil {
			var data []byte
			if data, err = monorepo.ReplicatePlan(src, *planN, *planIndent); err == nil {
				if err = os.MkdirAll(dir, 0o755); err == nil {
					err = os.WriteFile(filepath.Join(dir, "plan.json"), data, 0o644)
				}
			}
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "genmonorepo: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("%d resource changes in %s\n", *planN, filepath.Join(dir, "plan.json"))
		return
	}
	if *largeMB > 0 {
		n, err := monorepo.LargeFile(dir, int64(*largeMB)<<20)
		if err != nil {
			fmt.Fprintf(os.Stderr, "genmonorepo: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("%d resources in a %d MB main.tf in %s\n", n, *largeMB, dir)
		return
	}
	l := monorepo.Layout{Modules: *modules}
	if err := monorepo.Generate(dir, l); err != nil {
		fmt.Fprintf(os.Stderr, "genmonorepo: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d modules, %d files in %s\n", *modules, l.Files(), dir)
}
