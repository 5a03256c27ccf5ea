// Package alerting is the alert rule engine and the webhook notifier: the
// engine derives member alerts from the scored days and judges the sources
// at each evaluation, recording both in the store; the notifier posts newly
// opened alerts as Slack-compatible JSON. It knows nothing of the web app:
// the app's scheduler and scorer drive it.
package alerting
