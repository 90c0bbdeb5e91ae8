package eval

import (
	"fmt"
	"math/big"
	"net"
	"strings"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// IP network functions: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets and
// OpenTofu's cidrcontains, with addresses as big integers so that IPv4 and
// IPv6 share one arithmetic.

// ipNet is a parsed prefix: the network address, its prefix length and the
// address length in bits (32 or 128).
type ipNet struct {
	addr *big.Int
	plen int
	bits int
}

// parseCIDR parses a prefix as Terraform does, accepting IPv4 octets with
// leading zeros as decimal (as Go did before 1.17, and Terraform still does).
func parseCIDR(s string) (ipNet, error) {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		if fixed, ok := decimalOctets(s); ok {
			_, n, err = net.ParseCIDR(fixed)
		}
	}
	if err != nil {
		return ipNet{}, fmt.Errorf("invalid CIDR expression: %s", strings.TrimPrefix(err.Error(), "invalid CIDR address: "))
	}
	plen, bits := n.Mask.Size()
	ip := n.IP
	if bits == 32 {
		ip = ip.To4()
	}
	return ipNet{addr: new(big.Int).SetBytes(ip), plen: plen, bits: bits}, nil
}

// decimalOctets rewrites an IPv4 prefix whose octets have leading zeros.
func decimalOctets(s string) (string, bool) {
	addr, suffix, _ := strings.Cut(s, "/")
	parts := strings.Split(addr, ".")
	if len(parts) != 4 {
		return "", false
	}
	for i, p := range parts {
		t := strings.TrimLeft(p, "0")
		if t == "" && p != "" {
			t = "0"
		}
		parts[i] = t
	}
	out := strings.Join(parts, ".")
	if suffix != "" || strings.Contains(s, "/") {
		out += "/" + suffix
	}
	return out, true
}

func (n ipNet) ip(a *big.Int) string {
	b := a.FillBytes(make([]byte, n.bits/8))
	return net.IP(b).String()
}

func (n ipNet) String() string { return fmt.Sprintf("%s/%d", n.ip(n.addr), n.plen) }

// size is the number of addresses of a prefix length.
func (n ipNet) size(plen int) *big.Int { return new(big.Int).Lsh(big.NewInt(1), uint(n.bits-plen)) }

// masked is a mod 2^bits, masked to a prefix length.
func (n ipNet) masked(a *big.Int, plen int) *big.Int {
	mod := new(big.Int).Lsh(big.NewInt(1), uint(n.bits))
	a = new(big.Int).Mod(a, mod)
	hostMask := new(big.Int).Sub(n.size(plen), big.NewInt(1))
	return a.AndNot(a, hostMask)
}

// numArg is a number argument's integer part; an infinite number (1/0)
// is an error, as in Terraform, which wants a whole number.
func numArg(v cty.Value) (*big.Int, error) {
	bf := v.AsBigFloat()
	if bf.IsInf() {
		return nil, fmt.Errorf("a number must be a whole number, not %s", bf.Text('g', -1))
	}
	i, _ := bf.Int(nil)
	return i, nil
}

var cidrHostFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}, {Name: "hostnum", Type: cty.Number}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		n, err := parseCIDR(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		host, err := numArg(args[1])
		if err != nil {
			return cty.UnknownVal(cty.String), function.NewArgError(1, err)
		}
		size, num := n.size(n.plen), host
		if host.Sign() < 0 {
			host = new(big.Int).Add(size, host)
		}
		if host.Sign() < 0 || host.Cmp(size) >= 0 {
			return cty.UnknownVal(cty.String), fmt.Errorf("prefix of %d bits cannot accommodate a host numbered %s", n.plen, num)
		}
		return cty.StringVal(n.ip(new(big.Int).Add(n.addr, host))), nil
	},
})

var cidrNetmaskFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		n, err := parseCIDR(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		if n.bits != 32 {
			return cty.UnknownVal(cty.String), fmt.Errorf("IPv6 addresses cannot have a netmask: %s", args[0].AsString())
		}
		return cty.StringVal(net.IP(net.CIDRMask(n.plen, 32)).String()), nil
	},
})

// subnet is network n extended by newbits, numbered num.
func (n ipNet) subnet(newbits int, num *big.Int) (ipNet, error) {
	plen := n.plen + newbits
	if newbits < 0 || plen > n.bits {
		return ipNet{}, fmt.Errorf("insufficient address space to extend prefix of %d by %d", n.plen, newbits)
	}
	if num.Sign() < 0 || num.BitLen() > newbits {
		return ipNet{}, fmt.Errorf("prefix extension of %d does not accommodate a subnet numbered %s", newbits, num)
	}
	a := new(big.Int).Add(n.addr, new(big.Int).Lsh(num, uint(n.bits-plen)))
	return ipNet{addr: a, plen: plen, bits: n.bits}, nil
}

var cidrSubnetFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "prefix", Type: cty.String}, {Name: "newbits", Type: cty.Number}, {Name: "netnum", Type: cty.Number}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		n, err := parseCIDR(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		nb, err := numArg(args[1])
		if err != nil {
			return cty.UnknownVal(cty.String), function.NewArgError(1, err)
		}
		netnum, err := numArg(args[2])
		if err != nil {
			return cty.UnknownVal(cty.String), function.NewArgError(2, err)
		}
		if !nb.IsInt64() || nb.Int64() > 128 {
			return cty.UnknownVal(cty.String), fmt.Errorf("insufficient address space to extend prefix of %d by %s", n.plen, nb)
		}
		s, err := n.subnet(int(nb.Int64()), netnum)
		if err != nil {
			return cty.UnknownVal(cty.String), err
		}
		return cty.StringVal(s.String()), nil
	},
})

// cidrsubnets allocates consecutive subnets of the given extensions, each
// aligned to its own size, as Terraform does.
var cidrSubnetsFunc = function.New(&function.Spec{
	Params:   []function.Parameter{{Name: "prefix", Type: cty.String}},
	VarParam: &function.Parameter{Name: "newbits", Type: cty.Number},
	Type:     function.StaticReturnType(cty.List(cty.String)),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		n, err := parseCIDR(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.List(cty.String)), function.NewArgErrorf(0, "invalid CIDR expression: %s", err)
		}
		if len(args) == 1 {
			return cty.ListValEmpty(cty.String), nil
		}
		mod := new(big.Int).Lsh(big.NewInt(1), uint(n.bits))
		end := new(big.Int).Add(n.addr, n.size(n.plen)) // first address after the network
		next := new(big.Int).Set(n.addr)
		out := make([]cty.Value, 0, len(args)-1)
		for i, a := range args[1:] {
			nb, err := numArg(a)
			if err != nil {
				return cty.UnknownVal(cty.List(cty.String)), function.NewArgError(i+1, err)
			}
			if nb.Sign() < 1 {
				return cty.UnknownVal(cty.List(cty.String)), function.NewArgErrorf(i+1, "must extend prefix by at least one bit")
			}
			if !nb.IsInt64() || int64(n.plen)+nb.Int64() > int64(n.bits) {
				return cty.UnknownVal(cty.List(cty.String)), function.NewArgErrorf(i+1, "would extend prefix to %s bits, which is too long for an IPv%d address", new(big.Int).Add(nb, big.NewInt(int64(n.plen))), map[int]int{32: 4, 128: 6}[n.bits])
			}
			plen := n.plen + int(nb.Int64())
			// Round up to the next boundary of this size.
			size := n.size(plen)
			start := n.masked(new(big.Int).Add(next, new(big.Int).Sub(size, big.NewInt(1))), plen)
			if start.Cmp(next) < 0 || start.Cmp(mod) >= 0 || new(big.Int).Add(start, size).Cmp(end) > 0 {
				prev := out
				after := n.String()
				if len(prev) > 0 {
					after = prev[len(prev)-1].AsString()
				}
				return cty.UnknownVal(cty.List(cty.String)), function.NewArgErrorf(i+1, "not enough remaining address space for a subnet with a prefix of %d bits after %s", plen, after)
			}
			out = append(out, cty.StringVal(ipNet{addr: start, plen: plen, bits: n.bits}.String()))
			next = new(big.Int).Add(start, size)
		}
		return cty.ListVal(out), nil
	},
})

// cidrcontains (OpenTofu): whether a prefix contains an address or another
// prefix of the same family.
var cidrContainsFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "containing_prefix", Type: cty.String}, {Name: "contained_ip_or_prefix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		n, err := parseCIDR(args[0].AsString())
		if err != nil {
			return cty.UnknownVal(cty.Bool), err
		}
		s := args[1].AsString()
		var inner ipNet
		if strings.Contains(s, "/") {
			if inner, err = parseCIDR(s); err != nil {
				return cty.UnknownVal(cty.Bool), err
			}
		} else {
			ip := net.ParseIP(s)
			if ip == nil {
				return cty.UnknownVal(cty.Bool), fmt.Errorf("invalid IP address: %s", s)
			}
			bits := 128
			if v4 := ip.To4(); v4 != nil && !strings.Contains(s, ":") {
				ip, bits = v4, 32
			}
			inner = ipNet{addr: new(big.Int).SetBytes(ip), plen: bits, bits: bits}
		}
		if inner.bits != n.bits {
			return cty.UnknownVal(cty.Bool), fmt.Errorf("address family mismatch: %s vs. %s", args[0].AsString(), s)
		}
		return cty.BoolVal(inner.plen >= n.plen && n.masked(inner.addr, n.plen).Cmp(n.addr) == 0), nil
	},
})
