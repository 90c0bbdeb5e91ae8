//go:build !linux

package drift

// childGroups is Linux-only; elsewhere a stopped terraform command is
// killed by terraform-exec alone.
func childGroups(dir string) []int { return nil }

func killGroups(groups []int) {}
