// Command importbench imports access-log files into an EcoPulse database
// with accesslog.Import and prints the summary as one JSON object. It is the
// EcoPulse side of scripts/bench-accesslog.sh.
//
//	go run ./collectors/accesslog/cmd/importbench [-format combined] [-chunk 50000] [-progress] FILE... DBPATH
//	go run ./collectors/accesslog/cmd/importbench -generate 1000000 -from apache_logs OUT
//
// With -generate it instead writes a combined log of that many lines made of
// time-shifted copies of the -from log (copy k moved forward by k times the
// span of the original, in whole days).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"

	"github.com/ecopulse/ecopulse/collectors/accesslog"
	"github.com/ecopulse/ecopulse/data"
)

func main() {
	format := flag.String("format", "combined", "log format: combined, log_format, kong or json")
	logFormat := flag.String("log-format", "", "nginx log_format string (with -format log_format)")
	chunk := flag.Int("chunk", 0, "lines per transaction (0: default)")
	progress := flag.Bool("progress", false, "draw a progress bar on stderr")
	gen := flag.Int("generate", 0, "write this many time-shifted lines of -from to OUT instead of importing")
	from := flag.String("from", "", "source log of -generate")
	shift := flag.Duration("shift", 0, "with -generate, move copy k forward by k×shift (0: the source's whole span, a sparse log; 1s: overlapping copies, a dense log)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: importbench [flags] FILE... DBPATH\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *gen > 0 {
		if flag.NArg() != 1 || *from == "" {
			fmt.Fprintln(os.Stderr, "usage: importbench -generate N -from SRC OUT")
			os.Exit(2)
		}
		if err := generate(*from, flag.Arg(0), *gen, *shift); err != nil {
			fmt.Fprintln(os.Stderr, "importbench:", err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() < 2 {
		flag.Usage()
		os.Exit(2)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "importbench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	args := flag.Args()
	files, dbPath := args[:len(args)-1], args[len(args)-1]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, files, dbPath, accesslog.Config{Format: *format, LogFormat: *logFormat, ChunkLines: *chunk}, *progress); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "importbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, files []string, dbPath string, cfg accesslog.Config, progress bool) error {
	db, err := data.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	var w io.Writer
	if progress {
		w = os.Stderr
	}
	sum, err := accesslog.Import(ctx, db, cfg, files, w)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(sum)
}
