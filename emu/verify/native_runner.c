/* emu/verify/native_runner.c — run a gosyscall image on this machine's CPU, one instruction
 * at a time, and print the registers after every instruction.
 *
 * Built at first use by emu/verify/native.py with the system C compiler. Protocol: a plan on
 * stdin (little-endian u64 words unless noted), a report on stdout (text lines).
 *
 *   plan:   "GOSYSV01"  nregions { addr size prot bytes[size] }  regs[18]  stop  max_steps
 *           timeout_s  file_len bytes[file_len]  ndumps { addr size }
 *           regs order: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip rflags (emu.regs.TRACE_REGS)
 *   report: "pid N"  "init R0 .. R17"  "step R0 .. R17"...  "end WHY"  "dump ADDR HEX"...
 *           "out FD HEX" (fds 1, 2 and the pipe 4/5); registers in hex; WHY is ok | limit |
 *           timeout | signal N RIP | refused NR RIP | bypass NR RIP | exit N | killed N;
 *           "error TEXT" if the runner itself cannot go on
 *
 * The child (fork) maps every region at its own address (MAP_FIXED_NOREPLACE: nothing of the
 * runner may be replaced), prepares its fds — 0 /dev/null, 1 and 2 pipes back to this process,
 * 3 a memfd holding the plan's file bytes, 4/5 the read/write ends of a pipe — installs a
 * seccomp filter that lets only harmless calls through, and stops itself with INT3 (no syscall
 * needed once the filter is on). The parent then sets the registers and single-steps with
 * PTRACE_SINGLESTEP (a SYSCALL excepted: see step()) until RIP reaches the stop address. The
 * registers come from <sys/user.h>'s user_regs_struct, so no layout is written down by hand.
 *
 * The run ends on time, whatever the child does: the parent checks a CLOCK_MONOTONIC deadline
 * before every step, and never waits for the child past it (SIGCHLD is blocked and waited for
 * with sigtimedwait's timeout, so a child blocked in the kernel cannot hold the parent, and no
 * signal handler interrupts anything). At the deadline the child is killed ("end timeout").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

enum { EXIT_MAP = 90, EXIT_TRACEME = 91, EXIT_FD = 92, EXIT_SECCOMP = 93 };
enum { MAX_REGIONS = 64, MAX_DUMPS = 16 };

struct region { uint64_t addr, size, prot; unsigned char *data; };

static void die(const char *msg) {
    printf("error %s\n", msg);
    exit(2);
}

static void readn(void *buf, size_t n) {
    unsigned char *p = buf;
    while (n) {
        ssize_t r = read(0, p, n);
        if (r <= 0)
            die("short plan");
        p += r;
        n -= (size_t)r;
    }
}

static uint64_t u64(void) {
    uint64_t v;
    readn(&v, 8);
    return v;
}

/* Numbers that Linux 6.11+ (uretprobe) and 6.16+ (uprobe) let through every seccomp filter
 * unfiltered (kernel/seccomp.c seccomp_uprobe_exception): the filter cannot refuse them, so
 * the parent stops before a SYSCALL with one of them in EAX ("end bypass NR RIP"). */
enum { NR_URETPROBE = 335, NR_UPROBE = 336 };

/* The only system calls the image may make natively; anything else raises SIGSYS
 * (SECCOMP_RET_TRAP), which the parent reports as a refusal. Numbers from 512 up, the x32
 * bit (0x40000000) included, are answered -ENOSYS by the filter itself, without running:
 * that is what Linux 5.4+ answers for them on x86-64 (before 5.4, a kernel built with x32
 * support ran 512-547 as x32 calls: execve, process_vm_writev, ...), and numbers above 547
 * are real system calls one day. The filter compares the 32-bit number the kernel uses. */
static int install_filter(void) {
#define LD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define LD_ARG0 BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]))
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
#define TRAP BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP)
#define ENOSYS_RET BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))
    struct sock_filter f[] = {
        /*  0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        /*  1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),  /* not int 0x80 */
        /*  2 */ TRAP,
        /*  3 */ LD_NR,
        /*  4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 8, 0),
        /*  5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_gettid, 7, 0),
        /*  6 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_close, 6, 0),       /* the child's own fds */
        /*  7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_nanosleep, 5, 0),   /* bounded by timeout_s */
        /*  8 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_read, 5, 0),
        /*  9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_write, 10, 0),
        /* 10 */ BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 512, 1, 0),    /* 512 and up (unsigned) */
        /* 11 */ TRAP,
        /* 12 */ ENOSYS_RET,                                          /* answered, never run */
        /* 13 */ ALLOW,
        /* 14: read from fd 0 (/dev/null), 3 (the file) or 4 (the pipe's read end) */
        /* 14 */ LD_ARG0,
        /* 15 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0),
        /* 16 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 2, 0),
        /* 17 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4, 1, 0),
        /* 18 */ TRAP,
        /* 19 */ ALLOW,
        /* 20: write to fd 1, 2 (captured) or 5 (the pipe's write end) */
        /* 20 */ LD_ARG0,
        /* 21 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 3, 0),
        /* 22 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 2, 2, 0),
        /* 23 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 5, 1, 0),
        /* 24 */ TRAP,
        /* 25 */ ALLOW,
    };
    struct sock_fprog prog = { .len = sizeof f / sizeof f[0], .filter = f };
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        return -1;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

static void child(struct region *rg, int nreg, const unsigned char *file, uint64_t flen,
                  int out1[2], int out2[2], int pipe45[2]) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, 0);   /* the image runs with no signal blocked */
    if (ptrace(PTRACE_TRACEME, 0, 0, 0))
        _exit(EXIT_TRACEME);
    for (int i = 0; i < nreg; i++) {
        void *p = mmap((void *)rg[i].addr, rg[i].size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        if (p != (void *)rg[i].addr)
            _exit(EXIT_MAP);
        memcpy(p, rg[i].data, rg[i].size);
        if (mprotect(p, rg[i].size, (int)rg[i].prot))
            _exit(EXIT_MAP);
    }
    int mfd = (int)syscall(SYS_memfd_create, "gosyscall-verify", 0);
    int nul = open("/dev/null", O_RDONLY);
    if (mfd < 0 || nul < 0 || write(mfd, file, flen) != (ssize_t)flen || lseek(mfd, 0, SEEK_SET))
        _exit(EXIT_FD);
    /* Move everything above 9 first so the dup2s below cannot clobber each other. */
    int src[6] = { nul, out1[1], out2[1], mfd, pipe45[0], pipe45[1] };
    for (int i = 0; i < 6; i++)
        if ((src[i] = fcntl(src[i], F_DUPFD, 10)) < 0)
            _exit(EXIT_FD);
    for (int i = 0; i < 6; i++)
        if (dup2(src[i], i) != i)
            _exit(EXIT_FD);
    syscall(SYS_close_range, 6, ~0U, 0);
    if (install_filter())
        _exit(EXIT_SECCOMP);
    __asm__ volatile("int3");     /* stop for the parent: SIGTRAP, no syscall */
    for (;;)
        __asm__ volatile("hlt");  /* never reached: the parent changes RIP */
}

static struct timespec deadline;         /* CLOCK_MONOTONIC: when the run must end */
static sigset_t chld;                    /* SIGCHLD, blocked: waited for with sigtimedwait */

static long long ns_left(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)(deadline.tv_sec - now.tv_sec) * 1000000000LL + (deadline.tv_nsec - now.tv_nsec);
}

static int past_deadline(void) { return ns_left() <= 0; }

static void start_watchdog(uint64_t timeout_s) {
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)(timeout_s > 3600 ? 3600 : timeout_s);
}

/* waitpid(pid), but never past the deadline: a tracee's stop or exit sends SIGCHLD, which is
 * blocked (so it stays pending) and waited for with a timeout; no signal handler ever
 * interrupts the parent's own writes. Returns 0 with *st set, or -1 at the deadline. */
static int wait_until_deadline(pid_t pid, int *st) {
    for (;;) {
        pid_t got = waitpid(pid, st, WNOHANG);
        if (got == pid)
            return 0;
        if (got < 0 && errno != EINTR)
            die("waitpid");
        long long left = ns_left();
        if (left <= 0)
            return -1;
        struct timespec ts = { left / 1000000000LL, left % 1000000000LL };
        sigtimedwait(&chld, 0, &ts);     /* SIGCHLD, the timeout (EAGAIN) or EINTR: look again */
    }
}

static int is_bypass(long long nr) {
    int n = (int)(unsigned)nr;           /* the kernel and seccomp see the low 32 bits */
    return n == NR_URETPROBE || n == NR_UPROBE;
}

static void print_regs(const char *tag, const struct user_regs_struct *r) {
    const unsigned long long v[18] = {
        r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp, r->r8, r->r9,
        r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rip, r->eflags };
    printf("%s", tag);
    for (int i = 0; i < 18; i++)
        printf(" %llx", v[i]);
    printf("\n");
}

/* Wait for the child; 0 = stopped by the debugger's own trap (a single step, our hardware
 * breakpoint, or with `any` set any SIGTRAP); 1 = an INT3 of the image retired and raised the
 * program's own SIGTRAP (si_code SI_KERNEL), which ends the run; -1 = the run ended otherwise
 * ("end" line printed). */
static int wait_trap(pid_t pid, int any) {
    int st;
    if (wait_until_deadline(pid, &st)) {
        printf("end timeout\n");
        return -1;
    }
    if (WIFEXITED(st)) {
        printf("end exit %d\n", WEXITSTATUS(st));
        return -1;
    }
    if (WIFSIGNALED(st)) {
        printf("end killed %d\n", WTERMSIG(st));
        return -1;
    }
    siginfo_t si = { 0 };
    if (WSTOPSIG(st) == SIGTRAP) {
        if (any || ptrace(PTRACE_GETSIGINFO, pid, 0, &si) || si.si_code != SI_KERNEL)
            return 0;
        return 1;
    }
    struct user_regs_struct r;
    ptrace(PTRACE_GETREGS, pid, 0, &r);
    if (WSTOPSIG(st) == SIGSYS)
        printf("end refused %lld %llx\n", (long long)r.orig_rax, r.rip);
    else if (WSTOPSIG(st) == SIGILL && is_bypass((long long)r.orig_rax))   /* ran unfiltered */
        printf("end bypass %d %llx\n", (int)(unsigned)r.orig_rax, r.rip - 2);
    else
        printf("end signal %d %llx\n", WSTOPSIG(st), r.rip);
    return -1;
}

/* Execute one instruction. A SYSCALL (0f 05) is not single-stepped: SYSCALL saves RFLAGS in
 * R11, and under PTRACE_SINGLESTEP that copy would carry the trap flag the debugger set (R11 =
 * 0x302, not the 0x202 a program sees). It runs instead to a hardware breakpoint (DR0, execute)
 * on the next instruction, as gdb's `next` would: no byte of memory changes, so the syscall
 * itself sees the image exactly (an INT3 there would be visible to a write() of the text). */
static int step(pid_t pid, struct user_regs_struct *r) {
    errno = 0;
    long here = ptrace(PTRACE_PEEKTEXT, pid, (void *)r->rip, 0);
    int over = !errno && (here & 0xffff) == 0x050f;
    const size_t dr0 = offsetof(struct user, u_debugreg[0]), dr7 = offsetof(struct user, u_debugreg[7]);
    if (over && is_bypass((long long)r->rax)) {
        printf("end bypass %d %llx\n", (int)(unsigned)r->rax, r->rip);   /* seccomp cannot stop it */
        return -1;
    }
    if (over) {
        if (ptrace(PTRACE_POKEUSER, pid, (void *)dr0, (void *)(r->rip + 2))
            || ptrace(PTRACE_POKEUSER, pid, (void *)dr7, (void *)1L))    /* L0, execute, 1 byte */
            die("cannot set a hardware breakpoint after SYSCALL (debug registers)");
        if (ptrace(PTRACE_CONT, pid, 0, 0))
            die("PTRACE_CONT");
    } else if (ptrace(PTRACE_SINGLESTEP, pid, 0, 0)) {
        die("PTRACE_SINGLESTEP");
    }
    int stopped = wait_trap(pid, 0);
    if (over)
        ptrace(PTRACE_POKEUSER, pid, (void *)dr7, 0);    /* fails only if the child died */
    if (stopped < 0)
        return -1;
    ptrace(PTRACE_GETREGS, pid, 0, r);
    if (stopped == 1) {               /* INT3 is a trap: it retired, then the program's SIGTRAP */
        print_regs("step", r);
        printf("end signal %d %llx\n", SIGTRAP, r->rip);
        return -1;
    }
    if (over && (r->eflags & 0x10000)) {
        /* The debug exception set RF (resume flag) so the breakpoint would not fire again on
         * resuming; the breakpoint is gone, and without a debugger RF is 0 after SYSCALL. */
        r->eflags &= ~0x10000ULL;
        ptrace(PTRACE_SETREGS, pid, 0, r);
    }
    return 0;
}

static void dump(pid_t pid, uint64_t addr, uint64_t size) {
    printf("dump %llx ", (unsigned long long)addr);
    for (uint64_t off = 0; off < size; off += 8) {
        errno = 0;
        long w = ptrace(PTRACE_PEEKDATA, pid, (void *)(addr + off), 0);
        if (errno)
            break;
        for (int b = 0; b < 8 && off + b < size; b++)
            printf("%02x", (unsigned)((unsigned long)w >> (8 * b)) & 0xff);
    }
    printf("\n");
}

static void drain(int fd, int label) {
    unsigned char buf[4096];
    ssize_t n;
    printf("out %d ", label);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++)
            printf("%02x", buf[i]);
    printf("\n");
}

int main(void) {
    char magic[8];
    readn(magic, 8);
    if (memcmp(magic, "GOSYSV01", 8))
        die("bad plan");
    int nreg = (int)u64();
    if (nreg < 0 || nreg > MAX_REGIONS)
        die("too many regions");
    struct region rg[MAX_REGIONS];
    for (int i = 0; i < nreg; i++) {
        rg[i].addr = u64();
        rg[i].size = u64();
        rg[i].prot = u64();
        if (rg[i].size > (64u << 20) || !(rg[i].data = malloc(rg[i].size)))
            die("region too large");
        readn(rg[i].data, rg[i].size);
    }
    uint64_t regs[18];
    for (int i = 0; i < 18; i++)
        regs[i] = u64();
    uint64_t stop = u64(), max_steps = u64(), timeout_s = u64(), flen = u64();
    unsigned char *file = malloc(flen + 1);
    if (flen > (1u << 20) || !file)
        die("file too large");
    readn(file, flen);
    int ndump = (int)u64();
    if (ndump < 0 || ndump > MAX_DUMPS)
        die("too many dumps");
    uint64_t dumps[MAX_DUMPS][2];
    for (int i = 0; i < ndump; i++) {
        dumps[i][0] = u64();
        dumps[i][1] = u64();
    }

    int out1[2], out2[2], pipe45[2];
    if (pipe(out1) || pipe(out2) || pipe(pipe45))
        die("pipe");
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, 0);      /* before fork: no stop can be missed */
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0)
        child(rg, nreg, file, flen, out1, out2, pipe45);
    close(out1[1]);
    close(out2[1]);
    close(pipe45[1]);                 /* keep the read end: what stays in the pipe is reported */

    start_watchdog(timeout_s);
    printf("pid %d\n", (int)pid);
    if (wait_trap(pid, 1) == 0) {
        struct user_regs_struct r;
        ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL);
        if (ptrace(PTRACE_GETREGS, pid, 0, &r))
            die("PTRACE_GETREGS");
        unsigned long long *gpr[16] = { &r.rax, &r.rbx, &r.rcx, &r.rdx, &r.rsi, &r.rdi, &r.rbp,
            &r.rsp, &r.r8, &r.r9, &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15 };
        for (int i = 0; i < 16; i++)
            *gpr[i] = regs[i];
        r.rip = regs[16];
        r.eflags = regs[17];
        if (ptrace(PTRACE_SETREGS, pid, 0, &r) || ptrace(PTRACE_GETREGS, pid, 0, &r))
            die("PTRACE_SETREGS");
        print_regs("init", &r);
        uint64_t n = 0;
        for (;; n++) {
            if (r.rip == stop) {
                printf("end ok\n");
                break;
            }
            if (n == max_steps) {
                printf("end limit\n");
                break;
            }
            if (past_deadline()) {
                printf("end timeout\n");
                break;
            }
            if (step(pid, &r))
                break;
            print_regs("step", &r);
        }
        for (int i = 0; i < ndump; i++)
            dump(pid, dumps[i][0], dumps[i][1]);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, 0, 0) < 0 && errno == EINTR)
        ;
    drain(out1[0], 1);
    drain(out2[0], 2);
    drain(pipe45[0], 4);
    return 0;
}
