//go:build !linux

package main

// lowerPriority leaves the priority as it is where per-thread nice values
// are not how the system schedules (run the command under nice(1) there).
func lowerPriority(n int) error { return nil }
