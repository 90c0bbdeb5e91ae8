package drift

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard selects the part K of N of the roots: 1 <= K <= N. The zero value
// selects every root.
//
// A root belongs to the shard whose index is its stable hash (FNV-1a, 64
// bits, of its slash path relative to the working directory) modulo N, plus
// one. Every worker that runs the same command from the same directory thus
// computes the same partition with no coordinator: each root is checked by
// exactly one shard, and adding or removing a root moves no other root.
type Shard struct {
	K, N int
}

// ParseShard parses "K/N" (1-based: "1/4" … "4/4").
func ParseShard(s string) (Shard, error) {
	if strings.TrimSpace(s) == "" {
		return Shard{}, fmt.Errorf("--shard is empty: want K/N, such as 1/4 (is the variable meant to hold it set?)")
	}
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	k, err1 := strconv.Atoi(strings.TrimSpace(ks))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("--shard %q: want K/N, such as 1/4 (shards are numbered from 1)", s)
	}
	if n < 1 || k < 1 || k > n {
		if k == 0 && n > 0 {
			return Shard{}, fmt.Errorf("--shard %q: shards are numbered from 1 to %d; for a 0-based index (a Kubernetes JOB_COMPLETION_INDEX) use --shard-index %s", s, n, s)
		}
		return Shard{}, fmt.Errorf("--shard %q: want 1 <= K <= N", s)
	}
	return Shard{K: k, N: n}, nil
}

// ParseShardIndex parses "I/N" with a 0-based index I (0 <= I < N), as a
// Kubernetes Indexed Job numbers its pods (JOB_COMPLETION_INDEX): it is
// shard I+1 of N.
func ParseShardIndex(s string) (Shard, error) {
	if strings.TrimSpace(s) == "" {
		return Shard{}, fmt.Errorf("--shard-index is empty: want INDEX/N with a 0-based INDEX, such as $(JOB_COMPLETION_INDEX)/8 (is the variable meant to hold it set?)")
	}
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("--shard-index %q: want INDEX/N with a 0-based INDEX, such as $(JOB_COMPLETION_INDEX)/8", s)
	}
	if n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("--shard-index %q: want 0 <= INDEX < N", s)
	}
	return Shard{K: i + 1, N: n}, nil
}

// IsZero reports whether the shard selects everything.
func (s Shard) IsZero() bool { return s.N == 0 }

func (s Shard) String() string {
	if s.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.K, s.N)
}

// has reports whether a root (slash path relative to the working
// directory) belongs to the shard.
func (s Shard) has(root string) bool {
	if s.IsZero() {
		return true
	}
	return shardOf(root, s.N) == s.K
}

// shardOf is the 1-based shard of a root among n.
func shardOf(root string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(root))
	return int(h.Sum64()%uint64(n)) + 1
}
