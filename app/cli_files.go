package app

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeOutput writes a command's output to the file at path, whole (see
// writeFileWhole), or to out when path is "" or "-"; toFile says which.
func writeOutput(out io.Writer, path string, write func(*bufio.Writer) error) (toFile bool, err error) {
	if path == "" || path == "-" {
		w := bufio.NewWriter(out)
		if err := write(w); err != nil {
			return false, err
		}
		return false, w.Flush()
	}
	return true, writeFileWhole(path, write)
}

// writeFileWhole writes path through a temporary file renamed into place:
// the file is whole or absent, never half written. The error of write is
// returned as it is.
func writeFileWhole(path string, write func(*bufio.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriter(tmp)
	if err := write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("unable to write %s: %w", path, err)
	}
	return nil
}
