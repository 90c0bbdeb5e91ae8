//go:build go1.27

package fasthcl

import "github.com/apparentlymart/go-textseg/v17/textseg"

// hclsyntax segments with textseg v15 before Go 1.27 and v17 from it
// (hcl/v2/internal/unicodeutil); columns must count the same clusters.
var scanGraphemeClusters = textseg.ScanGraphemeClusters
