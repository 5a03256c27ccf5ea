package app

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/config"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
)

// TestImportedHistoryIsScoredHoweverOld: usage that lands long before the
// backfill horizon (a log of May 2015 imported today) is scored by the
// next scoring run — on the Sundays of the windows that hold it, as the
// backfill scores old history — and a later change to the data of a day
// already scored has the days whose windows hold it scored again.
func TestImportedHistoryIsScoredHoweverOld(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	m := &domain.Member{Slug: "acme", Name: "Acme", Kind: domain.KindPartner, JoinedOn: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := db.CreateMember(ctx, m); err != nil {
		t.Fatal(err)
	}
	c := &domain.APIConsumer{Key: "acme-key", MemberID: m.ID}
	if err := db.UpsertConsumer(ctx, c); err != nil {
		t.Fatal(err)
	}
	addCalls := func(d time.Time, calls int64) {
		t.Helper()
		if err := db.AddUsage(ctx, []domain.UsageRollup{{Bucket: d.Add(10 * time.Hour), ConsumerID: c.ID, Endpoint: "/v1/chat", StatusClass: 2, Calls: calls}}); err != nil {
			t.Fatal(err)
		}
	}
	may17 := time.Date(2015, 5, 17, 0, 0, 0, 0, time.UTC) // a Sunday
	for i := 0; i < 4; i++ {
		addCalls(may17.AddDate(0, 0, i), 100)
	}
	s := NewScorer(db, config.Default().Scoring, quietLogger())
	today := domain.Day(time.Now())
	if err := s.Run(ctx, today, config.Default().BackfillDays); err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Time{may17, may17.AddDate(0, 0, 7), may17.AddDate(0, 0, 49)} {
		if _, err := db.EcosystemScoreOn(ctx, d); err != nil {
			t.Errorf("%s was not scored: %v", d.Format(domain.DateLayout), err)
		}
	}
	// A weekday that old stays unscored (history is weekly there), and
	// nothing past the two windows that hold the data is scored.
	for _, d := range []time.Time{may17.AddDate(0, 0, 3), may17.AddDate(0, 0, 63)} {
		if _, err := db.EcosystemScoreOn(ctx, d); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("%s: %v, want not scored", d.Format(domain.DateLayout), err)
		}
	}
	may24 := may17.AddDate(0, 0, 7)
	rows, err := db.ScoresOn(ctx, may24)
	if err != nil || len(rows) != 1 || rows[0].Score.C == 0 {
		t.Fatalf("scores of 2015-05-24: %+v, %v (want acme with its calls)", rows, err)
	}
	before := rows[0].Score

	// A late import into a day already scored: the next run scores it again.
	addCalls(may17.AddDate(0, 0, 3), 5000)
	if err := s.Run(ctx, today, config.Default().BackfillDays); err != nil {
		t.Fatal(err)
	}
	rows, _ = db.ScoresOn(ctx, may24)
	if len(rows) != 1 || reflect.DeepEqual(rows[0].Score, before) {
		t.Fatalf("2015-05-24 was not scored again after new data on 2015-05-20: %+v", rows)
	}
	if marks, _ := db.RescoreDays(ctx); len(marks) != 0 {
		t.Fatalf("marks left after the run: %d", len(marks))
	}
}

func TestScoreCommandScoresARange(t *testing.T) {
	ctx := context.Background()
	env, db, _ := commandEnv(t)
	addPartners(t, db, time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC), "acme")
	from, to := time.Date(2015, 5, 18, 0, 0, 0, 0, time.UTC), time.Date(2015, 5, 21, 0, 0, 0, 0, time.UTC)
	if err := Score(ctx, env, ScoreOptions{From: from, To: to}); err != nil {
		t.Fatal(err)
	}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if _, err := db.EcosystemScoreOn(ctx, d); err != nil {
			t.Errorf("%s not scored: %v", d.Format(domain.DateLayout), err)
		}
	}
	if _, err := db.EcosystemScoreOn(ctx, to.AddDate(0, 0, 1)); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("the day after the range was scored: %v", err)
	}
	if err := Score(ctx, env, ScoreOptions{From: to, To: from}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("a reversed range: %v", err)
	}
}
