package views

import (
	"embed"
	"io/fs"
)

// staticFiles is the views/static tree. The directory pattern (rather than a
// list of files) keeps vendor/echarts.min.js optional: scripts/assets.sh puts
// it there, and a clean clone without it still builds because the committed
// app.js and app.css match the pattern.
//
//go:embed static
var staticFiles embed.FS

// echartsPath is where scripts/assets.sh vendors ECharts, relative to StaticFS.
const echartsPath = "vendor/echarts.min.js"

// StaticFS returns the embedded static assets, rooted at views/static: it
// holds "app.js", "app.css" and, once scripts/assets.sh has run before the
// build, "vendor/echarts.min.js". The app serves it under /static/.
func StaticFS() fs.FS {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil { // cannot happen: "static" is a valid, embedded path
		panic("views: " + err.Error())
	}
	return sub
}

// HasECharts reports whether ECharts was vendored into the binary. Without
// it pages still render (tables, numbers); charts say they are unavailable.
func HasECharts() bool {
	info, err := fs.Stat(StaticFS(), echartsPath)
	return err == nil && !info.IsDir() && info.Size() > 0
}
