package views

import (
	"regexp"
	"strings"
	"testing"

	"github.com/ecopulse/ecopulse/domain"
)

// TestAgreementProblemsInEveryLanguage: each problem ValidateAgreement
// finds says, through the English catalogue, exactly its English (the JSON
// API's problems), and in Chinese is Chinese with every fact filled in and
// the collected names as typed.
func TestAgreementProblemsInEveryLanguage(t *testing.T) {
	db := projectsTestDB(t)
	ctx := t.Context()
	bad := AgreementInput{Slug: "new", Name: strings.Repeat("n", agreementMaxName+1), Status: "paused", StartOn: "2026-04-01", EndOn: "2026-03-01",
		Scope: strings.Repeat("s", agreementMaxText+1), Terms: strings.Repeat("t", agreementMaxText+1),
		Parties: []AgreementPartyInput{{Member: "alpha", Role: strings.Repeat("r", agreementMaxRole+1)}, {Member: "alpha"}, {Member: "ghost"}, {Role: "floating"}},
		Milestones: []AgreementMilestoneInput{{Title: "X", DueOn: "2026-02-30", DoneOn: "soon"}, {Title: "X", DueOn: "2026-03-01", DoneOn: "2026-03-02"},
			{ID: 99, Title: "Y"}, {DueOn: "2026-05-01"}}}
	empty := AgreementInput{EndOn: "later", Milestones: []AgreementMilestoneInput{{Title: strings.Repeat("m", agreementMaxName+1), DueOn: "2026-05-01"}}}
	malformed := AgreementInput{Slug: "Bad Slug", Name: "Deal", Status: "active", StartOn: "2026-4-1", Parties: []AgreementPartyInput{{Member: "alpha"}}}
	var problems []string
	for _, in := range []AgreementInput{bad, empty, malformed} {
		_, _, ps, err := ValidateAgreement(ctx, db, in, nil)
		if domain.ErrorCode(err) != domain.EINVALID {
			t.Fatalf("err %v, want invalid", err)
		}
		checkAgreementProblems(t, err, ps)
		problems = append(problems, AgreementProblemsIn(TrIn(LangChinese), err, ps)...)
	}
	if len(problems) < 25 {
		t.Errorf("%d problems: the inputs should find more", len(problems))
	}
	if !strings.Contains(strings.Join(problems, "\n"), `未知成员 "ghost"`) {
		t.Errorf("the Chinese problems do not name the unknown member as typed: %q", problems)
	}
	// Any other error: the problems as given.
	if got := AgreementProblemsIn(TrIn(LangChinese), domain.Errorf(domain.EINVALID, "x"), []string{"x"}); len(got) != 1 || got[0] != "x" {
		t.Errorf("another error's problems: %q", got)
	}
}

func checkAgreementProblems(t *testing.T, err error, problems []string) {
	t.Helper()
	en := AgreementProblemsIn(EnglishTr(), err, problems)
	zh := AgreementProblemsIn(TrIn(LangChinese), err, problems)
	if len(en) != len(problems) || len(zh) != len(problems) {
		t.Fatalf("%d English and %d Chinese problems of %d", len(en), len(zh), len(problems))
	}
	han := regexp.MustCompile(`\p{Han}`)
	for i, p := range problems {
		if en[i] != p {
			t.Errorf("problem %d in English: %q, want %q", i, en[i], p)
		}
		if !han.MatchString(zh[i]) || strings.Contains(zh[i], "<no value>") || zh[i] == p {
			t.Errorf("problem %d in Chinese: %q (English %q)", i, zh[i], p)
		}
	}
}
