// Command probe calls Go's four syscall entry points, so that a binary built from it
// holds the compiled code of each: syscall.Syscall, syscall.Syscall6, syscall.RawSyscall
// and syscall.RawSyscall6, and below them the runtime's assembly Syscall6.
//
// Each entry point is called from a function of its own that the compiler may not
// inline (//go:noinline), and each is also taken as a function value (keep), so its
// body stays in the binary whatever the inliner decides about the callers.
//
// Run natively, it makes getpid (success) and close(-1) (an error) through each entry
// point and prints the results as Go's caller gets them:
//
//	Syscall getpid r1=1234 r2=0 err=0
//	Syscall close r1=-1 r2=0 err=9
package main

import "syscall"

var keep = []any{syscall.Syscall, syscall.Syscall6, syscall.RawSyscall, syscall.RawSyscall6}

//go:noinline
func callSyscall(trap, a1, a2, a3 uintptr) (uintptr, uintptr, syscall.Errno) {
	return syscall.Syscall(trap, a1, a2, a3)
}

//go:noinline
func callSyscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, uintptr, syscall.Errno) {
	return syscall.Syscall6(trap, a1, a2, a3, a4, a5, a6)
}

//go:noinline
func callRawSyscall(trap, a1, a2, a3 uintptr) (uintptr, uintptr, syscall.Errno) {
	return syscall.RawSyscall(trap, a1, a2, a3)
}

//go:noinline
func callRawSyscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (uintptr, uintptr, syscall.Errno) {
	return syscall.RawSyscall6(trap, a1, a2, a3, a4, a5, a6)
}

func itoa(v int64) string {
	if v < 0 {
		return "-" + itoa(-v)
	}
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}

func report(entry, call string, r1, r2 uintptr, err syscall.Errno) {
	line := entry + " " + call + " r1=" + itoa(int64(r1)) + " r2=" + itoa(int64(r2)) +
		" err=" + itoa(int64(err)) + "\n"
	syscall.Write(1, []byte(line))
}

func main() {
	const bad = ^uintptr(0) // fd -1
	for _, c := range []struct {
		name      string
		trap, fd1 uintptr
	}{{"getpid", syscall.SYS_GETPID, 0}, {"close", syscall.SYS_CLOSE, bad}} {
		r1, r2, err := callSyscall(c.trap, c.fd1, 0, 0)
		report("Syscall", c.name, r1, r2, err)
		r1, r2, err = callSyscall6(c.trap, c.fd1, 0, 0, 0, 0, 0)
		report("Syscall6", c.name, r1, r2, err)
		r1, r2, err = callRawSyscall(c.trap, c.fd1, 0, 0)
		report("RawSyscall", c.name, r1, r2, err)
		r1, r2, err = callRawSyscall6(c.trap, c.fd1, 0, 0, 0, 0, 0)
		report("RawSyscall6", c.name, r1, r2, err)
	}
	if len(keep) != 4 {
		panic("keep")
	}
}
