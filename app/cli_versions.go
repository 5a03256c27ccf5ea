package app

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/views"
)

// VersionsOptions are the flags of `ecopulse api-versions`.
type VersionsOptions struct {
	At   time.Time // zero: the latest day with API usage
	JSON bool      // print /api/v1/api-versions?at=DAY's JSON
}

// APIVersionsReport runs `ecopulse api-versions [--at DAY] [--json]`: the
// numbers of /api-versions (the same builder), over the configured
// versions.
func APIVersionsReport(ctx context.Context, env *Env, opt VersionsOptions) error {
	vs, err := env.Config.APIVersions()
	if err != nil {
		return err
	}
	return env.withDB(ctx, func(db *data.DB) error {
		v, err := views.BuildAPIVersions(ctx, db, vs, views.APIVersionsQuery{At: opt.At, Now: env.Now(), SunsetDays: env.Config.SunsetWarningDays()})
		if err != nil {
			return err
		}
		if opt.JSON {
			return printJSON(env, v)
		}
		if !v.Declared {
			fmt.Fprintln(env.Out, "no API version is declared: add api_versions to the configuration (docs/api-versions.md)")
			return nil
		}
		fmt.Fprintf(env.Out, "API versions as of %s (calls from %s)\n", v.At, v.WindowFrom)
		w := tabwriter.NewWriter(env.Out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "version\tstatus\tdeprecated\tsunset\tcalls\tshare")
		for _, r := range v.Versions {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\n", r.Name, r.Status, dayOrDash(r.DeprecatedOn), dayOrDash(r.SunsetOn), r.Calls, shareText(r.Share))
		}
		if err := w.Flush(); err != nil {
			return err
		}
		for _, s := range v.Sunsets {
			var who []string
			for _, m := range s.Members {
				who = append(who, m.Slug)
			}
			fmt.Fprintf(env.Out, "%s sunset %s (%d days left): at risk: %s\n", s.Version, s.SunsetOn, s.DaysLeft, cmpOr(strings.Join(who, ", "), "none"))
		}
		return nil
	})
}

func dayOrDash(s *string) string {
	if s == nil {
		return "—"
	}
	return *s
}

func shareText(p *float64) string {
	if p == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *p*100)
}

func cmpOr(s, dflt string) string {
	if s == "" {
		return dflt
	}
	return s
}
