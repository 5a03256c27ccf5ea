package domain

import "time"

// MemberWindow is what one member did over a scoring window. metrics.Score
// takes it as its input (metrics.MemberInput is this type).
type MemberWindow struct {
	ID int64

	// API usage in the window (traffic of the member's consumers).
	Calls        int64
	Errors4xx    int64
	Errors5xx    int64
	LatencyP95MS float64 // 0 when there were no calls
	Consumers    int     // distinct consumers/apps with calls
	PrevCalls    int64   // calls in the previous window (growth)

	// Cooperation projects the member is a party of.
	ActiveProjects      int // projects active at some point in the window
	MilestonesDue       int // milestones due in the window
	MilestonesOnTime    int // of those, done on or before the due date
	MilestonesDelivered int // milestones done in the window (on time or late)
	MilestonesOverdue   int // due before the day and still open on it

	// Community activity of people affiliated with the member (bots excluded).
	Contributions      int     // threads, replies, pull requests, reviews, releases
	PrevContributions  int     // in the previous window (growth)
	ActiveContributors int     // distinct affiliated people who contributed
	Engaged            int     // distinct people outside the member who took part in its threads (window_community.go)
	Threads            int     // threads opened by the member's people
	Responded          int     // of those, threads that got a first response from someone else
	FirstResponseHours float64 // median hours to first response on the member's threads (0 if none)

	// The member's recent weeks, which the change signals (metrics/change.go)
	// hold against its baseline. Weeks are the 7-day spans ending on the
	// window's last day: [0] is the last 7 days, [1] the 7 days before, …;
	// Weeks says how many of them the measured span (the window and the one
	// before it) holds whole.
	Weeks               int
	WeeklyCalls         [MaxWeeks]int64
	WeeklyContributions [MaxWeeks]int
	WeeklyContributors  [MaxWeeks]int // distinct contributors; measured in the window only (0 before it)
	Weekly4xx           [MaxWeeks]int64
	Weekly5xx           [MaxWeeks]int64
	RecentLatencyP95MS  float64 // p95 of the last 7 days, 0 without calls
	LastCallDaysAgo     int     // days from the member's last day with calls to the window's last day; -1 without calls in the span
	// RecentThreads are the threads the member's people opened in the last
	// RecentThreadDays days: how old each was at the window's end and how
	// long it waited for its first response from someone else (-1: none yet).
	RecentThreads []ThreadWait
}

// MaxWeeks is how many recent weeks a MemberWindow holds.
const MaxWeeks = 8

// RecentThreadDays is how far back MemberWindow.RecentThreads go.
const RecentThreadDays = 14

// ThreadWait is one recent thread of a member, in hours.
type ThreadWait struct {
	AgeHours  float64 `json:"age_hours"`
	WaitHours float64 `json:"wait_hours"` // -1: no response by the window's end
}

// PairWindow is what two members did together in a window. A < B.
type PairWindow struct {
	A, B             int64
	SharedProjects   int // projects active in the window with both as parties
	SharedMilestones int // milestones of those projects delivered in the window
	SharedThreads    int // threads both members' people took part in
}

// Window is everything measured for one scoring day.
type Window struct {
	Day     time.Time // last day of the window (inclusive)
	From    time.Time // first day of the window
	Members []MemberWindow
	Pairs   []PairWindow

	// Ecosystem activity over the last 7 days up to Day (the overview's counts).
	ActiveConsumers    int
	ActiveContributors int

	// UnreadableDigests are days whose usage or activity digest could not
	// be decoded (damaged, or written by a newer version): the window read
	// them from the source rows instead. The scorer marks them for rebuild.
	UnreadableDigests []time.Time
}
