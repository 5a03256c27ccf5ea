package app

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecopulse/ecopulse/data"
	"github.com/ecopulse/ecopulse/data/datatest"
	"github.com/ecopulse/ecopulse/domain"
	"github.com/ecopulse/ecopulse/views"
)

// TestAlertMessagesSpeakThePageLanguage: an alert stored with its message
// key and facts reads in Chinese on the inbox, its entry, a member page's
// list and the overview card's JSON ("text"), while "message" stays the
// English the engine found; an alert stored without a key keeps its
// English everywhere.
func TestAlertMessagesSpeakThePageLanguage(t *testing.T) {
	ctx := context.Background()
	db := datatest.MustOpenDB(t)
	if err := db.CreateMember(ctx, &domain.Member{Slug: "alpha", Name: "Alpha", Kind: domain.KindPartner, JoinedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	conds := []data.AlertCondition{
		{Rule: views.RuleHealthBelow, Subject: "alpha", Member: "alpha", Message: "health 35.0 is below 40",
			MessageKey: "alertmsg.health_below", MessageArgs: map[string]any{"Health": "35.0", "Threshold": "40"}},
		{Rule: views.RuleLatency, Subject: "alpha", Member: "alpha", Message: "an old message stored without a key"},
	}
	if _, err := db.RecordAlertHistory(ctx, views.MemberAlertRules, []data.AlertDay{{Day: day, Conds: conds}}, data.AlertMark{}, day.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	all, err := db.Alerts(ctx, data.AlertFilter{})
	if err != nil || len(all) != 2 {
		t.Fatalf("alerts %+v, %v", all, err)
	}
	var keyed int64
	for _, al := range all {
		if al.MessageKey != "" {
			keyed = al.ID
		}
	}
	a := newTestApp(t, db)
	zh := map[string]string{"Accept-Language": "zh-CN"}
	for _, target := range []string{"/alerts", "/alerts/" + strconv.FormatInt(keyed, 10)} {
		_, body := langGet(t, a, target, zh)
		if !strings.Contains(body, "健康度 35.0 低于 40") || strings.Contains(body, "health 35.0 is below 40") {
			t.Errorf("%s in Chinese does not say the message in Chinese", target)
		}
		if target == "/alerts" && !strings.Contains(body, "an old message stored without a key") {
			t.Error("the inbox lost the English of an alert stored without a key")
		}
		_, body = langGet(t, a, target, map[string]string{"Accept-Language": "en"})
		if !strings.Contains(body, "health 35.0 is below 40") {
			t.Errorf("%s in English lost the English message", target)
		}
	}
	_, body := langGet(t, a, "/api/v1/alerts", zh)
	var in struct {
		Alerts []struct{ Message, Text string } `json:"alerts"`
	}
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	for _, r := range in.Alerts {
		texts[r.Message] = r.Text
	}
	if texts["health 35.0 is below 40"] != "健康度 35.0 低于 40" || texts["an old message stored without a key"] != "" {
		t.Errorf("the JSON's texts %v", texts)
	}
}
