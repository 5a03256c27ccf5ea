//go:build unix

package accesslog

import (
	"os"
	"strconv"
	"syscall"
)

// fileKey identifies a file by device and inode, so that a renamed (rotated)
// file keeps its cursor and a new file at the same path gets its own.
func fileKey(path string, fi os.FileInfo) (key string, dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		dev, ino = uint64(st.Dev), uint64(st.Ino)
		return strconv.FormatUint(dev, 10) + ":" + strconv.FormatUint(ino, 10), dev, ino
	}
	return "path:" + path, 0, 0
}
