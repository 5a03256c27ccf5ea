package app

import (
	"bytes"
	"io"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/views"
)

// Two snapshots compared (/snapshots/compare?a=&b=, its JSON twin
// /api/v1/snapshots/compare) and the weekly series
// (/api/v1/snapshots/series?weeks=N); each downloads with ?format=csv|xlsx|json.

func (a *App) buildCompare(c *fiber.Ctx) (*views.SnapshotCompare, error) {
	return views.BuildSnapshotCompare(c.UserContext(), a.db, a.cfg.Scoring, c.Query("a"), c.Query("b"))
}

func (a *App) snapshotComparePage(c *fiber.Ctx) error {
	d, err := a.buildCompare(c)
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).SnapshotComparePage(b, *d) })
}

// snapshotCompareJSON is /api/v1/snapshots/compare: the comparison as JSON,
// or with ?format=… a download of it (audited, served or not).
func (a *App) snapshotCompareJSON(c *fiber.Ctx) error {
	format := c.Query("format")
	if format == "" {
		d, err := a.buildCompare(c)
		if err != nil {
			return err
		}
		return c.JSON(d)
	}
	name := "compare." + format
	err := func() error {
		if _, err := exportContentType(format); err != nil {
			return err
		}
		d, err := a.buildCompare(c)
		if err != nil {
			return err
		}
		name = views.CompareExportName(d.A.Week, d.B.Week, format)
		return sendExport(c, name, format, func(w io.Writer) error { return writeCompareExport(w, d, format, a.viewsFor(c).Tr()) })
	}()
	a.auditDownload(c, name, "", err)
	return err
}

// snapshotSeriesJSON is /api/v1/snapshots/series: the weekly series as
// JSON, or with ?format=… a download of it (audited, served or not).
func (a *App) snapshotSeriesJSON(c *fiber.Ctx) error {
	format := c.Query("format")
	name := "series." + format
	err := func() error {
		weeks, err := views.ParseSeriesWeeks(c.Query("weeks"))
		if err != nil {
			return err
		}
		if format != "" {
			if _, err := exportContentType(format); err != nil {
				return err
			}
		}
		s, err := views.BuildSnapshotSeries(c.UserContext(), a.db, a.cfg.Scoring, weeks)
		if err != nil {
			return err
		}
		if format == "" {
			return c.JSON(s)
		}
		name = views.SeriesExportName(s, format)
		return sendExport(c, name, format, func(w io.Writer) error { return writeSeriesExport(w, s, format, a.viewsFor(c).Tr()) })
	}()
	if format != "" {
		a.auditDownload(c, name, "", err)
	}
	return err
}

// sendExport answers a download: the file whole, or the error (nothing
// sent). The name is built from validated weeks: a safe file name.
func sendExport(c *fiber.Ctx, name, format string, write func(io.Writer) error) error {
	ctype, err := exportContentType(format)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := write(&b); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ctype)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "private, no-store") // a new snapshot changes the defaults
	return c.Send(b.Bytes())
}
