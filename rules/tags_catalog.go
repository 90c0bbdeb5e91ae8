package rules

import (
	"embed"
	"path"
	"strings"
	"sync"

	"github.com/tfgate/tfgate/analyzer/tags"
)

// The taggable resource types of tags-required: which types take tags,
// and how (tags.Kind), from the lists in data/taggable.

//go:embed data/taggable/*.txt
var taggableData embed.FS

// taggableFiles maps each embedded list to how its types carry tags.
var taggableFiles = map[string]tags.Kind{
	// Types with a top-level `tags` map; the provider merges default_tags into tags_all.
	"aws.txt": {Attr: "tags", Defaults: "default_tags", Noun: "tag"},
	// Types tagged by `tag` blocks; the provider does not apply default_tags to them.
	"aws-tag-blocks.txt": {Blocks: true, Noun: "tag"},
	// AzureRM has no provider-level default tags.
	"azurerm.txt": {Attr: "tags", Noun: "tag"},
	// Top-level `labels` with terraform_labels: default_labels are merged in.
	"google.txt": {Attr: "labels", Defaults: "default_labels", Noun: "label"},
	// Only in google-beta (used with `provider = google-beta`); same labels model.
	"google-beta-only.txt": {Attr: "labels", Defaults: "default_labels", Noun: "label"},
	// Labels in `resource_labels` (GKE clusters); default_labels are merged in.
	"google-resource-labels.txt": {Attr: "resource_labels", Defaults: "default_labels", Noun: "label"},
	// User labels are `user_labels` (`labels` configures the channel or check); no terraform_labels, so no default_labels.
	"google-user-labels.txt": {Attr: "user_labels", Noun: "label"},
}

var taggableTypes = sync.OnceValue(func() map[string]tags.Kind {
	out := map[string]tags.Kind{}
	ents, err := taggableData.ReadDir("data/taggable")
	if err != nil {
		panic(err)
	}
	for _, e := range ents {
		kind, ok := taggableFiles[e.Name()]
		if !ok {
			panic("rules/data/taggable/" + e.Name() + " has no entry in taggableFiles")
		}
		data, err := taggableData.ReadFile(path.Join("data/taggable", e.Name()))
		if err != nil {
			panic(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if prev, dup := out[line]; dup && prev != kind {
				panic("rules/data/taggable: " + line + " is listed in two files that tag differently")
			}
			out[line] = kind
		}
	}
	return out
})
