package app

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/ecopulse/ecopulse/views"
)

// Weekly snapshots: /snapshots and /snapshots/:week, their JSON twins, and
// the exports (/api/v1/snapshots/:week?format=csv|xlsx|json).

func (a *App) snapshotsPage(c *fiber.Ctx) error {
	l, err := views.BuildSnapshots(c.UserContext(), a.db, a.cfg.Scoring)
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).SnapshotsPage(b, *l) })
}

func (a *App) snapshotsJSON(c *fiber.Ctx) error {
	l, err := views.BuildSnapshots(c.UserContext(), a.db, a.cfg.Scoring)
	if err != nil {
		return err
	}
	return c.JSON(l)
}

func (a *App) snapshotPage(c *fiber.Ctx) error {
	d, err := views.BuildSnapshot(c.UserContext(), a.db, a.cfg.Scoring, c.Params("week"))
	if err != nil {
		return err
	}
	return a.render(c, func(b *bytes.Buffer) error { return a.viewsFor(c).SnapshotPage(b, *d) })
}

// snapshotJSON is /api/v1/snapshots/:week: the snapshot as JSON, or, with
// ?format=csv|xlsx|json, a download of it (audited, served or not).
func (a *App) snapshotJSON(c *fiber.Ctx) error {
	format := c.Query("format")
	if format == "" {
		d, err := views.BuildSnapshot(c.UserContext(), a.db, a.cfg.Scoring, c.Params("week"))
		if err != nil {
			return err
		}
		return c.JSON(d)
	}
	err := a.snapshotDownload(c, format)
	a.auditDownload(c, c.Params("week")+"."+format, "", err)
	return err
}

// snapshotDownload sends a snapshot as a file in format.
func (a *App) snapshotDownload(c *fiber.Ctx, format string) error {
	ctype, err := exportContentType(format)
	if err != nil {
		return err
	}
	d, err := views.BuildSnapshot(c.UserContext(), a.db, a.cfg.Scoring, c.Params("week"))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := writeExport(&b, d, format, a.viewsFor(c).Tr()); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ctype)
	// The week was validated by BuildSnapshot (YYYY-Www): a safe file name.
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+views.SnapshotExportName(d.Week, format)+`"`)
	c.Set(fiber.HeaderCacheControl, "private, max-age=300") // a snapshot never changes
	return c.Send(b.Bytes())
}
