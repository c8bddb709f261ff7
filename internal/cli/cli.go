// Package cli is the small subcommand dispatcher shared by cmd/train and
// cmd/infer: each subcommand registers itself from its own file, so the
// binaries' main functions stay one line long.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Command is one subcommand: `binary NAME [flags]`.
type Command struct {
	Name    string
	Summary string
	// Run parses args (everything after the subcommand name) and does the work.
	Run func(args []string) error
}

// Set is a binary's subcommands.
type Set struct {
	Binary   string
	commands map[string]Command
}

// NewSet makes an empty set for the named binary.
func NewSet(binary string) *Set { return &Set{Binary: binary, commands: map[string]Command{}} }

// Register adds a subcommand; registering a name twice is a programming error.
func (s *Set) Register(c Command) {
	if _, dup := s.commands[c.Name]; dup {
		panic("cli: duplicate command " + c.Name)
	}
	s.commands[c.Name] = c
}

// Usage writes the list of subcommands.
func (s *Set) Usage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s COMMAND [flags]\n\ncommands:\n", s.Binary)
	names := make([]string, 0, len(s.commands))
	for n := range s.commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, s.commands[n].Summary)
	}
	fmt.Fprintf(w, "\nRun '%s COMMAND -h' for a command's flags.\n", s.Binary)
}

// Main runs the subcommand named by os.Args[1] and exits with its status.
func (s *Set) Main() {
	os.Exit(s.Run(os.Args[1:], os.Stderr))
}

// Run dispatches args and returns the process exit code (0 ok, 1 failure, 2 usage).
func (s *Set) Run(args []string, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		s.Usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := s.commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "%s: unknown command %q\n\n", s.Binary, args[0])
		s.Usage(stderr)
		return 2
	}
	if err := c.Run(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "%s %s: %s\n", s.Binary, c.Name, strings.TrimSpace(err.Error()))
		return 1
	}
	return 0
}

// FlagSet returns a flag.FlagSet that reports errors instead of exiting, so a
// subcommand's Run can return them.
func FlagSet(binary, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(binary+" "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s %s %s\n", binary, name, usage)
		fs.PrintDefaults()
	}
	return fs
}
