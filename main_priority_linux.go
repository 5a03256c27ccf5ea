//go:build linux

package main

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// lowerPriority raises the nice value of every thread of this process to n
// (0–19), leaving a thread already nicer as it is: Linux keeps a nice
// value per thread, and the threads the Go runtime starts later inherit
// the value of the thread that starts them.
func lowerPriority(n int) error {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		// getpriority(2) as a system call answers 20 − nice.
		raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
		if errors.Is(err, syscall.ESRCH) {
			continue // the thread ended meanwhile
		} else if err != nil {
			return err
		}
		if 20-raw >= n {
			continue
		}
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, n); err != nil && !errors.Is(err, syscall.ESRCH) {
			return err
		}
	}
	return nil
}
