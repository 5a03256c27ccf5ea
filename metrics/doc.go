// Package metrics is EcoPulse's scoring model. It is pure: no I/O, no
// database, no clock, no randomness, no mutable globals. Score turns the
// counts the data layer measured over a trailing window (Input) into scores
// (Result); the same Input and Config always give the same Result, bit for
// bit. docs/scoring.md gives every formula, default and config key.
//
// For each member i, from its counts in the window:
//
//   - T_i ∈ [0,1], technical quality: the weighted mean of the components
//     that have data: 1 − 5xx share, 1 − 4xx share, latency (1 if p95 ≤ SLO,
//     else SLO/p95) — these three only with calls — and the on-time share of
//     milestones due (only with milestones due). No component:
//     technical.no_data_score.
//   - I_i ∈ [0,1], investment: weighted mean of log1p(x)/log1p(max over
//     members of x) for calls, contributions, milestones delivered and active
//     contributors. A member with no activity in the window has I_i = 0.
//   - M_i ∈ [0,1], market influence: consumers and engaged people, log-scaled
//     like I, and growth against the previous window of calls and of
//     contributions, r²/(1+r²) = ½ + ½·tanh(ln r) with r = (cur+1)/(prev+1).
//   - C_i = T_i·I_i·M_i, so C_i = 0 without activity.
//
// For each pair, K_ij = K_ji = 1 − exp(−x_ij) with x_ij = a·shared projects
// + b·shared milestones + c·shared threads (K_ii = 0). K_i = Σ_j K_ij,
// R = Σ_i C_i·K_i and the Shapley share φ_i = ½ Σ_j K_ij (C_i + C_j), with
// Σ_i φ_i = R: each pair's term needs both members, so they split it equally.
//
// Health has four dimensions, each 0–100 or NaN without data: api (API
// quality), projects (on-time rate × exp(−overdue/scale)), community
// (activity against a target, share of threads answered, time to first
// response against a target) and cooperation (100·(1 − exp(−K_i/k0))).
// Each member's change signals (change.go) hold its last 7 days against its
// own baseline weeks and its targets — calls falling or stopped, latency over
// the SLO, 4xx and 5xx rising, threads unanswered or slowly answered,
// contributions and contributors falling, milestones overdue or late — each a
// score in [0,1]; api, projects and community are no higher than 100 × their
// worst signal, and the worst signal is the member's reason.
// Health_i is the weighted mean of the dimensions with data, capped at
// 100·score + (healthy_min − collapse_below) by any change signal whose
// score × 100 is below collapse_below; StatusOf maps it to healthy, watch or at_risk;
// without any dimension Health_i = 0 and the status is no_data. The
// ecosystem's health is the C-weighted mean of member health over members
// with data (the plain mean when Σ C = 0), and HealthMean their plain mean.
//
// Config carries every weight and constant; DefaultConfig gives the
// documented defaults and Config.Validate rejects unusable values.
package metrics
