package model

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

// ModuleSourceKind is how Terraform fetches a module source.
type ModuleSourceKind int

const (
	SourceUnknown   ModuleSourceKind = iota // not a form tfgate recognizes
	SourceLocal                             // ./x, ../x
	SourceRegistry                          // namespace/name/system, host/namespace/name/system
	SourceGit                               // git::, github.com/, bitbucket.org/, git@host:path
	SourceMercurial                         // hg::
	SourceHTTP                              // http(s) URL: an archive or an X-Terraform-Get redirect
	SourceS3                                // s3::, *.amazonaws.com/
	SourceGCS                               // gcs::, *.googleapis.com/
	SourceFile                              // absolute paths and file::
)

func (k ModuleSourceKind) String() string {
	switch k {
	case SourceLocal:
		return "local"
	case SourceRegistry:
		return "registry"
	case SourceGit:
		return "git"
	case SourceMercurial:
		return "mercurial"
	case SourceHTTP:
		return "http"
	case SourceS3:
		return "s3"
	case SourceGCS:
		return "gcs"
	case SourceFile:
		return "file"
	}
	return "unknown"
}

// ModuleSource is a module `source` address taken apart the way Terraform
// (and go-getter behind it) reads it.
type ModuleSource struct {
	Raw  string
	Kind ModuleSourceKind
	// Package is the address without `//subdir` and query: the registry
	// address ("hashicorp/consul/aws"), the repository or the archive URL.
	Package string
	Subdir  string     // the part after `//`, without the query
	Query   url.Values // the query (`?ref=v1.2.0&depth=1`); empty when none
	// Host is the registry host for registry sources
	// ("registry.terraform.io" when not written) and the URL host otherwise,
	// when there is one.
	Host string
	// Path is the path part of an URL source, for archive and object
	// sources ("/bucket/vpc-1.2.0.zip").
	Path string
}

var (
	forcedGetterPattern = regexp.MustCompile(`^([A-Za-z0-9]+)::(.+)$`)
	schemePattern       = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.\-]*)://`)
	scpLikePattern      = regexp.MustCompile(`^[A-Za-z0-9_.\-]+@[A-Za-z0-9_.\-]+:[^/]`)
	registryNamePattern = regexp.MustCompile(`^[0-9A-Za-z](?:[0-9A-Za-z_\-]{0,62}[0-9A-Za-z])?$`)
	registrySystem      = regexp.MustCompile(`^[0-9a-z]{1,64}$`)
	hostnamePattern     = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?::[0-9]+)?$|^localhost(?::[0-9]+)?$`)
)

// defaultModuleRegistry is the host of unqualified registry module sources.
const defaultModuleRegistry = "registry.terraform.io"

// ParseModuleSource classifies a module source address. Sources tfgate
// cannot place come back as SourceUnknown.
func ParseModuleSource(raw string) ModuleSource {
	s := strings.TrimSpace(raw)
	ms := ModuleSource{Raw: raw, Query: url.Values{}}
	if s == "" {
		return ms
	}
	if isLocalSource(s) {
		ms.Kind, ms.Package = SourceLocal, s
		return ms
	}
	forced := ""
	if m := forcedGetterPattern.FindStringSubmatch(s); m != nil {
		forced, s = strings.ToLower(m[1]), m[2]
	}
	dir, subdir := splitSubdir(s)
	pkg, rawQuery, _ := strings.Cut(dir, "?")
	if rawQuery != "" {
		if q, err := url.ParseQuery(rawQuery); err == nil {
			ms.Query = q
		}
	}
	ms.Package, ms.Subdir = pkg, subdir
	if forced == "" && rawQuery == "" {
		if host, ok := registryAddress(pkg); ok {
			ms.Kind, ms.Host = SourceRegistry, host
			return ms
		}
	}
	lower := strings.ToLower(pkg)
	switch forced {
	case "git":
		ms.Kind = SourceGit
	case "hg":
		ms.Kind = SourceMercurial
	case "s3":
		ms.Kind = SourceS3
	case "gcs":
		ms.Kind = SourceGCS
	case "http", "https":
		ms.Kind = SourceHTTP
	case "file":
		ms.Kind = SourceFile
	case "":
		// go-getter's detectors, in Terraform's order.
		switch {
		case strings.HasPrefix(lower, "github.com/"), strings.HasPrefix(lower, "bitbucket.org/"), scpLikePattern.MatchString(pkg):
			ms.Kind = SourceGit
		case !schemePattern.MatchString(pkg) && strings.Contains(lower, "googleapis.com/"):
			ms.Kind = SourceGCS
		case !schemePattern.MatchString(pkg) && strings.Contains(lower, ".amazonaws.com/"):
			ms.Kind = SourceS3
		case strings.HasPrefix(pkg, "/"):
			ms.Kind = SourceFile
		default:
			if m := schemePattern.FindStringSubmatch(pkg); m != nil {
				switch strings.ToLower(m[1]) {
				case "http", "https":
					ms.Kind = SourceHTTP
				case "git":
					ms.Kind = SourceGit
				case "hg":
					ms.Kind = SourceMercurial
				case "s3":
					ms.Kind = SourceS3
				case "gcs":
					ms.Kind = SourceGCS
				case "file":
					ms.Kind = SourceFile
				}
			}
		}
	}
	ms.Host, ms.Path = urlHostPath(pkg)
	return ms
}

// splitSubdir separates `//subdir` from a source as go-getter does, moving
// a query written after the subdirectory back onto the package.
func splitSubdir(s string) (dir, subdir string) {
	offset := 0
	if i := strings.Index(s, "://"); i >= 0 {
		offset = i + 3
	}
	i := strings.Index(s[offset:], "//")
	if i < 0 {
		return s, ""
	}
	dir, subdir = s[:offset+i], s[offset+i+2:]
	if q := strings.IndexByte(subdir, '?'); q >= 0 {
		dir += subdir[q:]
		subdir = subdir[:q]
	}
	return dir, subdir
}

// registryAddress reports whether s is a module registry address:
// namespace/name/system on the public registry, or host/namespace/name/system.
func registryAddress(s string) (host string, ok bool) {
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 3:
		host = defaultModuleRegistry
	case 4:
		host = strings.ToLower(parts[0])
		if !hostnamePattern.MatchString(host) || host == "github.com" || host == "bitbucket.org" {
			return "", false
		}
		parts = parts[1:]
	default:
		return "", false
	}
	if !registryNamePattern.MatchString(parts[0]) || !registryNamePattern.MatchString(parts[1]) || !registrySystem.MatchString(parts[2]) {
		return "", false
	}
	return host, true
}

// urlHostPath returns the host and path of an URL-like source, with or
// without a scheme ("bucket.s3.amazonaws.com/key", "git@host:org/repo").
func urlHostPath(pkg string) (host, p string) {
	if m := schemePattern.FindStringSubmatch(pkg); m != nil {
		if u, err := url.Parse(pkg); err == nil {
			return u.Host, u.Path
		}
		return "", ""
	}
	if scpLikePattern.MatchString(pkg) {
		at := strings.IndexByte(pkg, '@')
		h, rest, _ := strings.Cut(pkg[at+1:], ":")
		return h, "/" + rest
	}
	h, rest, _ := strings.Cut(pkg, "/")
	return h, "/" + rest
}

// Ref is the revision a git (`ref`) or Mercurial (`rev`) source asks for;
// "" when it asks for none.
func (ms ModuleSource) Ref() string {
	switch ms.Kind {
	case SourceGit:
		return ms.Query.Get("ref")
	case SourceMercurial:
		return ms.Query.Get("rev")
	}
	return ""
}

// RefParam is the query parameter that pins a revision: "ref" for git,
// "rev" for Mercurial.
func (ms ModuleSource) RefParam() string {
	if ms.Kind == SourceMercurial {
		return "rev"
	}
	return "ref"
}

var commitPattern = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`)

// IsCommitRef reports whether a ref looks like a commit ID (7 to 64 hex
// digits): the one pin that cannot move.
func IsCommitRef(ref string) bool { return commitPattern.MatchString(ref) }

var archiveExtensions = []string{".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".zip", ".gz", ".bz2", ".xz", ".zst"}

// IsArchive reports whether go-getter unpacks the source as an archive: an
// `archive` query parameter or a known archive extension.
func (ms ModuleSource) IsArchive() bool {
	if a, ok := ms.Query["archive"]; ok && !(len(a) == 1 && strings.EqualFold(a[0], "false")) {
		return true
	}
	p := strings.ToLower(ms.Path)
	for _, ext := range archiveExtensions {
		if strings.HasSuffix(p, ext) {
			return true
		}
	}
	return false
}

var (
	versionTokenPattern = regexp.MustCompile(`(?:^|[^0-9A-Za-z])v?[0-9]+\.[0-9]+(?:\.[0-9]+)*(?:-[0-9A-Za-z.]+)?(?:[^0-9A-Za-z]|$)|(?:^|[^0-9A-Za-z])[vV][0-9]+(?:[^0-9A-Za-z]|$)`)
	hexTokenPattern     = regexp.MustCompile(`[0-9a-fA-F]{7,64}`)
	gcsAPIPrefix        = regexp.MustCompile(`^/storage/v[0-9]+/`)
)

// VersionedPath reports whether an archive or object source names a fixed
// version: a version number ("vpc-1.2.0.zip", "/v1.2/", "/v2/"), a commit
// ID in its path, or a version query parameter (S3 `version`, GCS
// `generation`).
func (ms ModuleSource) VersionedPath() bool {
	for _, k := range []string{"version", "versionId", "generation", "ref", "rev"} {
		if strings.TrimSpace(ms.Query.Get(k)) != "" {
			return true
		}
	}
	p := ms.Path
	if ms.Kind == SourceGCS {
		// www.googleapis.com/storage/v1/<bucket>/<object>: "v1" is the API's.
		p = gcsAPIPrefix.ReplaceAllString(p, "/")
	}
	if versionTokenPattern.MatchString(p) {
		return true
	}
	for _, seg := range strings.FieldsFunc(path.Clean(p), func(r rune) bool { return !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') }) {
		if hexTokenPattern.MatchString(seg) && len(hexTokenPattern.FindString(seg)) == len(seg) && strings.ContainsAny(seg, "0123456789") && strings.ContainsAny(strings.ToLower(seg), "abcdef") {
			return true
		}
	}
	return false
}

// CallSource is a module call's source split into which module it runs and
// which version of it: two calls run the same code when their Identity and
// Version agree (registry constraints compared by NormalizeConstraint).
type CallSource struct {
	Kind ModuleSourceKind
	// Identity is normalized, without version or ref: the same repository
	// however it is spelled (git::https://github.com/a/b.git, github.com/a/b
	// and git@github.com:a/b.git are one), local sources by the directory
	// they reach.
	Identity string
	// Display is the source as written without its ref; the target
	// directory for local sources.
	Display string
	// Version is the registry version constraint or the VCS ref as
	// written; "" when none. Archives and buckets name the version in
	// their address.
	Version string
}

// VCS reports whether the source is a git or Mercurial repository,
// versioned by a ref.
func (s CallSource) VCS() bool { return s.Kind == SourceGit || s.Kind == SourceMercurial }

// CallSource reads the call's source; ok is false when the source (or a
// registry version) is not a static string.
func (c *ModuleCall) CallSource() (CallSource, bool) {
	raw := strings.TrimSpace(c.Source)
	if raw == "" {
		return CallSource{}, false
	}
	ms := ParseModuleSource(raw)
	switch ms.Kind {
	case SourceLocal:
		dir := ""
		if c.Target != nil {
			dir = c.Target.Dir
		} else {
			dir = path.Clean(path.Join(c.Block.Module.Dir, strings.ReplaceAll(raw, "\\", "/")))
		}
		return CallSource{Kind: SourceLocal, Identity: "local:" + dir, Display: dir}, true
	case SourceRegistry:
		if c.Block.Attr("version") != nil && c.Version == "" {
			return CallSource{}, false
		}
		id := strings.ToLower(ms.Host + "/" + ms.Package)
		if ms.Subdir != "" {
			id += "//" + strings.Trim(ms.Subdir, "/")
		}
		return CallSource{Kind: SourceRegistry, Identity: "registry:" + id, Display: raw, Version: strings.TrimSpace(c.Version)}, true
	case SourceGit, SourceMercurial:
		id := strings.ToLower(ms.Host + strings.TrimSuffix(strings.TrimSuffix(ms.Path, "/"), ".git"))
		if ms.Subdir != "" {
			id += "//" + strings.Trim(ms.Subdir, "/")
		}
		q := url.Values{}
		for k, v := range ms.Query {
			q[k] = v
		}
		q.Del(ms.RefParam())
		q.Del("depth")
		if rest := q.Encode(); rest != "" {
			id += "?" + rest
		}
		display, query, _ := strings.Cut(raw, "?")
		if query != "" {
			if dq, err := url.ParseQuery(query); err == nil {
				dq.Del(ms.RefParam())
				dq.Del("depth")
				if rest := dq.Encode(); rest != "" {
					display += "?" + rest
				}
			}
		}
		return CallSource{Kind: ms.Kind, Identity: "vcs:" + id, Display: display, Version: ms.Ref()}, true
	}
	// Archives, buckets and unknown forms: the address is the version.
	return CallSource{Kind: ms.Kind, Identity: "other:" + raw, Display: raw}, true
}
