package metrics

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// allowedImports is everything the package's non-test code may import: the
// standard library's pure packages and the domain types (never the store).
var allowedImports = []string{
	"cmp", "errors", "fmt", "math", "math/big", "slices", "sort", "strconv", "strings", "time",
	"github.com/ecopulse/ecopulse/domain",
}

// clockFuncs are the functions of package time that read or wait on the clock.
var clockFuncs = []string{"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "Tick", "NewTimer", "NewTicker"}

// impurities lists what makes a file impure: importing os, a rand package or
// anything outside allowedImports (the store among them); calling the clock;
// declaring package-level variables (mutable global state).
func impurities(fset *token.FileSet, f *ast.File) []string {
	var out []string
	report := func(n ast.Node, format string, args ...any) {
		out = append(out, fset.Position(n.Pos()).String()+": "+fmt.Sprintf(format, args...))
	}
	local := map[string]string{} // local name → import path
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		name := path[strings.LastIndex(path, "/")+1:]
		if path == "math/rand/v2" {
			name = "rand"
		}
		if imp.Name != nil {
			name = imp.Name.Name
		}
		local[name] = path
		switch {
		case path == "os" || strings.HasPrefix(path, "os/"):
			report(imp, "imports %s (I/O, environment)", path)
		case strings.HasSuffix(path, "/rand") || strings.Contains(path, "/rand/"):
			report(imp, "imports %s (randomness)", path)
		case !slices.Contains(allowedImports, path):
			report(imp, "imports %s, which is not in the allowed list", path)
		}
		if name == "." {
			report(imp, "dot-imports %s", path)
		}
	}
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
			report(g, "declares a package-level variable (mutable global state)")
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		switch path := local[x.Name]; {
		case path == "time" && slices.Contains(clockFuncs, sel.Sel.Name):
			report(sel, "uses time.%s (wall clock)", sel.Sel.Name)
		case x.Name == "rand" || x.Name == "os":
			report(sel, "uses %s.%s", x.Name, sel.Sel.Name)
		}
		return true
	})
	return out
}

// TestNoWallClock proves that scores cannot depend on the wall clock (or on
// files, the environment or chance): the package's code never calls
// time.Now, time.Since or time.Until, and imports neither os nor any rand.
func TestNoWallClock(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var checked int
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, p := range impurities(fset, f) {
			t.Error(p)
		}
	}
	if checked < 3 {
		t.Fatalf("checked %d files (%v), want the package's non-test files", checked, files)
	}
}

// TestImpuritiesDetects shows that the checker of TestNoWallClock fails on
// impure code.
func TestImpuritiesDetects(t *testing.T) {
	const src = `package x
import (
	"os"
	clock "time"
	"math/rand/v2"
	"net/http"
	"github.com/ecopulse/ecopulse/data"
)
var calls int
func f() {
	_ = clock.Now()
	_ = clock.Since(clock.Time{})
	_ = clock.Until(clock.Time{})
	_ = rand.IntN(3)
	_, _ = os.ReadFile("x")
	_ = http.Get
	_ = data.Open
}`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(impurities(fset, f), "\n")
	for _, want := range []string{
		"imports os", "imports math/rand/v2", "imports net/http", "package-level variable",
		"time.Now", "time.Since", "time.Until", "uses rand.IntN", "uses os.ReadFile", "imports github.com/ecopulse/ecopulse/data,",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("impurities missed %q; found:\n%s", want, got)
		}
	}
	clean, err := parser.ParseFile(fset, "y.go", "package y\nimport \"time\"\nfunc g(t time.Time) time.Time { return t.AddDate(0, 0, 1) }\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := impurities(fset, clean); len(got) != 0 {
		t.Errorf("impurities of pure code = %v, want none", got)
	}
}

// TestScoreTwiceIsIdentical: same input, same result, bit for bit; the input
// is left untouched.
func TestScoreTwiceIsIdentical(t *testing.T) {
	cfg := DefaultConfig()
	for _, seed := range seeds {
		in := randomInput(newRand(seed), 50)
		saved := Input{Day: in.Day, Members: slices.Clone(in.Members), Pairs: slices.Clone(in.Pairs)}
		first := Score(in, cfg)
		second := Score(in, cfg)
		sameResult(t, first, second)
		if !slices.EqualFunc(in.Members, saved.Members, func(a, b MemberInput) bool {
			return a.ID == b.ID && a.Calls == b.Calls && a.Errors5xx == b.Errors5xx && a.Contributions == b.Contributions &&
				sameFloat(a.LatencyP95MS, b.LatencyP95MS) && sameFloat(a.FirstResponseHours, b.FirstResponseHours)
		}) || !slices.Equal(in.Pairs, saved.Pairs) {
			t.Errorf("seed %d: Score modified its input", seed)
		}
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
	}
}

// TestOrderDoesNotMatter: shuffling members and pairs (and flipping pairs)
// changes nothing but the order of Result.Members.
func TestOrderDoesNotMatter(t *testing.T) {
	cfg := DefaultConfig()
	for _, seed := range seeds {
		r := newRand(seed)
		in := randomInput(r, 40)
		want := Score(in, cfg)

		shuffled := Input{Day: in.Day, Members: slices.Clone(in.Members), Pairs: slices.Clone(in.Pairs)}
		shuffle(r, shuffled.Members)
		shuffle(r, shuffled.Pairs)
		for i := range shuffled.Pairs {
			if r.IntN(2) == 0 {
				shuffled.Pairs[i].A, shuffled.Pairs[i].B = shuffled.Pairs[i].B, shuffled.Pairs[i].A
			}
		}
		got := Score(shuffled, cfg)

		if !sameFloat(got.R, want.R) || !sameFloat(got.Health, want.Health) {
			t.Errorf("seed %d: R, health = %v, %v after shuffling, want %v, %v", seed, got.R, got.Health, want.R, want.Health)
		}
		if !slices.Equal(got.Edges, want.Edges) {
			t.Errorf("seed %d: edges changed after shuffling", seed)
		}
		g, w := scoreByID(got), scoreByID(want)
		for id, m := range w {
			if !sameScore(g[id], m) {
				t.Errorf("seed %d: member %d: %+v after shuffling, want %+v", seed, id, g[id], m)
			}
		}
	}
}

func shuffle[T any](r *rand.Rand, s []T) {
	r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
}
