// Command retold finds versions of the same news story and explains how
// they differ. Run `retold help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/retold/retold/lexicon"
)

// command is one subcommand: its name, a one-line summary, and Run.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a subcommand may touch of the process: kept in a struct so
// tests can run subcommands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// stdoutIsTerminal says whether stdout is a terminal (for color);
	// stderrIsTerminal, whether progress may be drawn on stderr.
	stdoutIsTerminal, stderrIsTerminal bool
}

// errUsage marks errors in how the command was called: exit status 2.
var errUsage = errors.New("usage")

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

func commands() []command {
	return []command{
		{"add", "add files, directories, JSONL, WARC or feeds to the story index", runAdd},
		{"backup", "write a consistent copy of the story index, while it is in use", runBackup},
		{"check", "check the story index: the file's integrity and the index's consistency", runCheck},
		{"cluster", "group a JSONL corpus into stories and events", runCluster},
		{"compare", "tell whether two texts are versions of one story, with the evidence", runCompare},
		{"dedup", "remove near-duplicate records from a JSONL corpus, fast, with the evidence", runDedup},
		{"demo", "compare the two built-in demo articles (no files needed)", runDemo},
		{"eval", "score a clustering against labeled truth (ARI, pairwise and B-cubed F1)", runEval},
		{"eval-compare", "measure pairwise verdict quality on the labeled data", runEvalCompare},
		{"eval-facts", "audit the fact diff: changed numbers that count different things, on the labeled news sets", runEvalFacts},
		{"eval-cv", "choose the reuse rule on the labeled news sets, with leave-one-event-out cross-validation", runEvalCV},
		{"event", "show one indexed event: its key facts, a timeline of its stories, and each story's versions", runEvent},
		{"events", "list the indexed events (stories of one happening), newest first", runEvents},
		{"export", "write the story index as JSONL: labels and edges per document", runExport},
		{"k8s", "write Kubernetes Indexed Job manifests that dedup or cluster a corpus in shards", runK8s},
		{"match", "say which indexed story each document would join, with the evidence", runMatch},
		{"merge", "write a sharded job's outputs in input order (its last step)", runMerge},
		{"migrate", "bring a story index's schema to this retold's version", runMigrate},
		{"rm", "remove documents from the story index", runRm},
		{"run", "dedup or cluster a corpus in shards on this machine (--local), stage by stage", runRun},
		{"serve", "serve the story index: a JSON API and a web UI", runServe},
		{"slurm", "dedup or cluster a corpus in shards on Slurm: one job array a stage", runSlurm},
		{"stories", "list the indexed stories, newest first", runStories},
		{"story", "show one indexed story: its versions on a timeline and what each changed", runStory},
		{"task", "run one task of a sharded job's stage (what slurm and k8s jobs run)", runTask},
	}
}

func main() {
	// The first Ctrl-C or SIGTERM cancels the command, which stops at its
	// next check and exits 130; a second one ends the process at once.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "retold: interrupted, stopping (interrupt again to stop at once)")
		cancel()
		<-sigs
		os.Exit(exitInterrupted)
	}()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, stdoutIsTerminal: isTerminal(os.Stdout), stderrIsTerminal: isTerminal(os.Stderr)}
	stopProfile := startCPUProfile(os.Getenv("RETOLD_CPUPROFILE"), e.stderr)
	code := run(ctx, e, os.Args[1:])
	// A dictionary that failed to read was taken as none: say so.
	for _, err := range lexicon.Default().Errors() {
		fmt.Fprintf(e.stderr, "retold: warning: %v (texts in that language were judged on their facts)\n", err)
	}
	stopProfile()
	os.Exit(code)
}

// startCPUProfile writes a CPU profile of the whole command to path, when
// it is set (RETOLD_CPUPROFILE: for `go tool pprof`), and returns the
// function that finishes it.
func startCPUProfile(path string, stderr io.Writer) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(stderr, "retold: RETOLD_CPUPROFILE: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "retold: RETOLD_CPUPROFILE: %v\n", err)
		}
	}
}

// exitInterrupted is the exit status of a run stopped by Ctrl-C or
// SIGTERM, as shells give a process a SIGINT ended (128 + 2).
const exitInterrupted = 130

// run dispatches to a subcommand and maps its error to an exit status: 0 on
// success, 2 for usage errors, 130 when interrupted, 1 for everything else.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "version") {
		fmt.Fprintln(e.stdout, version())
		return 0
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		writeHelp(e.stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			fmt.Fprintf(e.stderr, "retold %s: %s\n", c.name, strings.TrimPrefix(err.Error(), "usage: "))
			return 2
		case ctx.Err() != nil:
			fmt.Fprintf(e.stderr, "retold %s: interrupted: %v\n", c.name, err)
			return exitInterrupted
		default:
			fmt.Fprintf(e.stderr, "retold %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(e.stderr, "retold: unknown command %q (run `retold help`)\n", args[0])
	return 2
}

func writeHelp(w io.Writer) {
	fmt.Fprintln(w, "retold finds versions of the same news story and explains how they differ.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: retold <command> [flags] [args]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run `retold <command> -h` for a command's flags.")
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments (`retold compare a.txt b.txt --json`). A lone "-" is
// a positional argument (stdin); "--" ends the flags. The flag package's
// own error printing is silenced so a usage error is the one line run
// prints; -h still prints the usage.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	defer func() {
		fs.Usage = usage
		fs.SetOutput(out)
	}()
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(out)
			usage()
			return nil, err
		}
		if err != nil {
			return nil, usageErr("%v", err)
		}
		rest := fs.Args()
		// fs.Parse consumes a "--" that ends the flags: everything after
		// it is positional.
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: retold %s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// version is the module's version and the VCS revision it was built from,
// as the Go toolchain recorded them.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "retold (no build information)"
	}
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	out := "retold " + v
	if rev != "" {
		out += " " + rev
		if dirty {
			out += "+modified"
		}
	}
	return out + " " + bi.GoVersion
}
