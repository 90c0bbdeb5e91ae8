package model

import "testing"

func TestVersionConstraintBounds(t *testing.T) {
	tests := []struct {
		c            string
		syn          ConstraintSyntax
		upper, lower bool
		suggest      string
	}{
		{"~> 5.0", ProviderSyntax, true, true, ""},
		{"~> 5", ProviderSyntax, true, true, ""},
		{"~> 5", CoreSyntax, false, true, "~> 5.0"},
		{"~> 1.9", CoreSyntax, true, true, ""},
		{">= 5.0, < 6.0", ProviderSyntax, true, true, ""},
		{"= 5.1.0", ProviderSyntax, true, true, ""},
		{"5.1.0", CoreSyntax, true, true, ""},
		{"<= 1.9.8", CoreSyntax, true, false, ""},
		{">= 1.5.0", CoreSyntax, false, true, "~> 1.5"},
		{">= 2.1.3", ProviderSyntax, false, true, ">= 2.1.3, < 3.0.0"},
		{"> 4.0", ProviderSyntax, false, true, "> 4.0, < 5.0.0"},
		{"!= 3.6.1", ProviderSyntax, false, false, ""},
		{"", ProviderSyntax, false, false, ""},
	}
	for _, tt := range tests {
		c, err := ParseVersionConstraint(tt.c, tt.syn)
		if err != nil {
			t.Errorf("%q: %v", tt.c, err)
			continue
		}
		if got := c.HasUpperBound(); got != tt.upper {
			t.Errorf("%q (syntax %d): HasUpperBound = %v, want %v", tt.c, tt.syn, got, tt.upper)
		}
		if got := c.HasLowerBound(); got != tt.lower {
			t.Errorf("%q: HasLowerBound = %v, want %v", tt.c, got, tt.lower)
		}
		if !tt.upper {
			if got := c.SuggestBounded(); got != tt.suggest {
				t.Errorf("%q: SuggestBounded = %q, want %q", tt.c, got, tt.suggest)
			}
		}
	}
}

func TestVersionConstraintAllows(t *testing.T) {
	tests := []struct {
		v, c string
		syn  ConstraintSyntax
		want bool
	}{
		{"5.82.2", "~> 5.0", ProviderSyntax, true},
		{"6.0.0", "~> 5.0", ProviderSyntax, false},
		{"6.0.0", "~> 5", ProviderSyntax, false},
		{"6.0.0", "~> 5", CoreSyntax, true}, // go-version: "~> 5" is ">= 5"
		{"5.1.9", "~> 5.1.0", ProviderSyntax, true},
		{"5.2.0", "~> 5.1.0", ProviderSyntax, false},
		{"5.1.0", "= 5.1", ProviderSyntax, true},
		{"4.67.0", ">= 5.0, < 6.0", ProviderSyntax, false},
		{"5.10.0", ">= 5.20", ProviderSyntax, false},
		{"3.6.1", "!= 3.6.1", ProviderSyntax, false},
		{"6.0.0-beta1", ">= 5.0", ProviderSyntax, true}, // go-versions orders pre-releases like other versions
		{"1.9.8", "~> 1.9.0", CoreSyntax, true},
		{"1.10.0", "~> 1.9.0", CoreSyntax, false},
	}
	for _, tt := range tests {
		got, err := versionSatisfies(tt.v, tt.c, tt.syn)
		if err != nil {
			t.Errorf("%s %q: %v", tt.v, tt.c, err)
			continue
		}
		if got != tt.want {
			t.Errorf("versionSatisfies(%s, %q, %d) = %v, want %v", tt.v, tt.c, tt.syn, got, tt.want)
		}
	}
}

func TestVersionConstraintInvalid(t *testing.T) {
	for _, tt := range []struct {
		c   string
		syn ConstraintSyntax
	}{
		{">= 1.5 < 2.0", CoreSyntax},
		{"1.x", CoreSyntax},
		{"v3.2.0", ProviderSyntax},
		{">= 5.0,, < 6", ProviderSyntax},
	} {
		if _, err := ParseVersionConstraint(tt.c, tt.syn); err == nil {
			t.Errorf("%q: no error", tt.c)
		}
	}
	if _, err := ParseVersionConstraint("v1.2.0", CoreSyntax); err != nil {
		t.Errorf("go-version accepts a v prefix: %v", err)
	}
}

func TestNormalizeConstraint(t *testing.T) {
	for _, group := range [][]string{
		{"~>5.0", "~> 5.0"},
		{">= 1.0, < 2", "< 2.0.0,>=1"},
		{"= 1.2.0", "1.2"},
		{"not a constraint", "not a  constraint "},
	} {
		for _, c := range group[1:] {
			if a, b := NormalizeConstraint(group[0]), NormalizeConstraint(c); a != b {
				t.Errorf("%q → %q but %q → %q", group[0], a, c, b)
			}
		}
	}
	if NormalizeConstraint("~> 5.0") == NormalizeConstraint("~> 5.0.0") {
		t.Error("~> 5.0 and ~> 5.0.0 allow different versions")
	}
}
