"""emu/kernel/sysnum.py — Linux x86-64 system call numbers and names.

Every number the x86-64 (64-bit ABI) table defines, from Linux's
``arch/x86/entry/syscalls/syscall_64.tbl`` (the ``common`` and ``64`` rows; numbers
0–334 and 424–450, as of Linux 6.x). Knowing a name does not mean the kernel model
implements the call: :mod:`emu.kernel.table` says which ones it does.
"""
from __future__ import annotations

import difflib
import re

# "number name" pairs, five to a line, in number order.
_TABLE = """
    0 read  1 write  2 open  3 close  4 stat
    5 fstat  6 lstat  7 poll  8 lseek  9 mmap
    10 mprotect  11 munmap  12 brk  13 rt_sigaction  14 rt_sigprocmask
    15 rt_sigreturn  16 ioctl  17 pread64  18 pwrite64  19 readv
    20 writev  21 access  22 pipe  23 select  24 sched_yield
    25 mremap  26 msync  27 mincore  28 madvise  29 shmget
    30 shmat  31 shmctl  32 dup  33 dup2  34 pause
    35 nanosleep  36 getitimer  37 alarm  38 setitimer  39 getpid
    40 sendfile  41 socket  42 connect  43 accept  44 sendto
    45 recvfrom  46 sendmsg  47 recvmsg  48 shutdown  49 bind
    50 listen  51 getsockname  52 getpeername  53 socketpair  54 setsockopt
    55 getsockopt  56 clone  57 fork  58 vfork  59 execve
    60 exit  61 wait4  62 kill  63 uname  64 semget
    65 semop  66 semctl  67 shmdt  68 msgget  69 msgsnd
    70 msgrcv  71 msgctl  72 fcntl  73 flock  74 fsync
    75 fdatasync  76 truncate  77 ftruncate  78 getdents  79 getcwd
    80 chdir  81 fchdir  82 rename  83 mkdir  84 rmdir
    85 creat  86 link  87 unlink  88 symlink  89 readlink
    90 chmod  91 fchmod  92 chown  93 fchown  94 lchown
    95 umask  96 gettimeofday  97 getrlimit  98 getrusage  99 sysinfo
    100 times  101 ptrace  102 getuid  103 syslog  104 getgid
    105 setuid  106 setgid  107 geteuid  108 getegid  109 setpgid
    110 getppid  111 getpgrp  112 setsid  113 setreuid  114 setregid
    115 getgroups  116 setgroups  117 setresuid  118 getresuid  119 setresgid
    120 getresgid  121 getpgid  122 setfsuid  123 setfsgid  124 getsid
    125 capget  126 capset  127 rt_sigpending  128 rt_sigtimedwait  129 rt_sigqueueinfo
    130 rt_sigsuspend  131 sigaltstack  132 utime  133 mknod  134 uselib
    135 personality  136 ustat  137 statfs  138 fstatfs  139 sysfs
    140 getpriority  141 setpriority  142 sched_setparam  143 sched_getparam  144 sched_setscheduler
    145 sched_getscheduler  146 sched_get_priority_max  147 sched_get_priority_min  148 sched_rr_get_interval  149 mlock
    150 munlock  151 mlockall  152 munlockall  153 vhangup  154 modify_ldt
    155 pivot_root  156 _sysctl  157 prctl  158 arch_prctl  159 adjtimex
    160 setrlimit  161 chroot  162 sync  163 acct  164 settimeofday
    165 mount  166 umount2  167 swapon  168 swapoff  169 reboot
    170 sethostname  171 setdomainname  172 iopl  173 ioperm  174 create_module
    175 init_module  176 delete_module  177 get_kernel_syms  178 query_module  179 quotactl
    180 nfsservctl  181 getpmsg  182 putpmsg  183 afs_syscall  184 tuxcall
    185 security  186 gettid  187 readahead  188 setxattr  189 lsetxattr
    190 fsetxattr  191 getxattr  192 lgetxattr  193 fgetxattr  194 listxattr
    195 llistxattr  196 flistxattr  197 removexattr  198 lremovexattr  199 fremovexattr
    200 tkill  201 time  202 futex  203 sched_setaffinity  204 sched_getaffinity
    205 set_thread_area  206 io_setup  207 io_destroy  208 io_getevents  209 io_submit
    210 io_cancel  211 get_thread_area  212 lookup_dcookie  213 epoll_create  214 epoll_ctl_old
    215 epoll_wait_old  216 remap_file_pages  217 getdents64  218 set_tid_address  219 restart_syscall
    220 semtimedop  221 fadvise64  222 timer_create  223 timer_settime  224 timer_gettime
    225 timer_getoverrun  226 timer_delete  227 clock_settime  228 clock_gettime  229 clock_getres
    230 clock_nanosleep  231 exit_group  232 epoll_wait  233 epoll_ctl  234 tgkill
    235 utimes  236 vserver  237 mbind  238 set_mempolicy  239 get_mempolicy
    240 mq_open  241 mq_unlink  242 mq_timedsend  243 mq_timedreceive  244 mq_notify
    245 mq_getsetattr  246 kexec_load  247 waitid  248 add_key  249 request_key
    250 keyctl  251 ioprio_set  252 ioprio_get  253 inotify_init  254 inotify_add_watch
    255 inotify_rm_watch  256 migrate_pages  257 openat  258 mkdirat  259 mknodat
    260 fchownat  261 futimesat  262 newfstatat  263 unlinkat  264 renameat
    265 linkat  266 symlinkat  267 readlinkat  268 fchmodat  269 faccessat
    270 pselect6  271 ppoll  272 unshare  273 set_robust_list  274 get_robust_list
    275 splice  276 tee  277 sync_file_range  278 vmsplice  279 move_pages
    280 utimensat  281 epoll_pwait  282 signalfd  283 timerfd_create  284 eventfd
    285 fallocate  286 timerfd_settime  287 timerfd_gettime  288 accept4  289 signalfd4
    290 eventfd2  291 epoll_create1  292 dup3  293 pipe2  294 inotify_init1
    295 preadv  296 pwritev  297 rt_tgsigqueueinfo  298 perf_event_open  299 recvmmsg
    300 fanotify_init  301 fanotify_mark  302 prlimit64  303 name_to_handle_at  304 open_by_handle_at
    305 clock_adjtime  306 syncfs  307 sendmmsg  308 setns  309 getcpu
    310 process_vm_readv  311 process_vm_writev  312 kcmp  313 finit_module  314 sched_setattr
    315 sched_getattr  316 renameat2  317 seccomp  318 getrandom  319 memfd_create
    320 kexec_file_load  321 bpf  322 execveat  323 userfaultfd  324 membarrier
    325 mlock2  326 copy_file_range  327 preadv2  328 pwritev2  329 pkey_mprotect
    330 pkey_alloc  331 pkey_free  332 statx  333 io_pgetevents  334 rseq
    424 pidfd_send_signal  425 io_uring_setup  426 io_uring_enter  427 io_uring_register  428 open_tree
    429 move_mount  430 fsopen  431 fsconfig  432 fsmount  433 fspick
    434 pidfd_open  435 clone3  436 close_range  437 openat2  438 pidfd_getfd
    439 faccessat2  440 process_madvise  441 epoll_pwait2  442 mount_setattr  443 quotactl_fd
    444 landlock_create_ruleset  445 landlock_add_rule  446 landlock_restrict_self  447 memfd_secret  448 process_mrelease
    449 futex_waitv  450 set_mempolicy_home_node
"""

NAMES: dict[int, str] = {}
for _nr, _name in zip(*[iter(_TABLE.split())] * 2):
    NAMES[int(_nr)] = _name
SYS: dict[str, int] = {name: nr for nr, name in NAMES.items()}
del _nr, _name


# Parameter names (Linux man pages, section 2) of calls the kernel model does not implement
# but Go programs make: shown in a trace instead of bare registers. The calls the model
# implements name their arguments in emu/kernel/table.py.
_ARGNAMES = """
    stat: pathname statbuf | fstat: fd statbuf | lstat: pathname statbuf | poll: fds nfds timeout
    mmap: addr length prot flags fd offset | mprotect: addr len prot | munmap: addr length
    brk: brk | rt_sigaction: signum act oldact sigsetsize | rt_sigprocmask: how set oldset sigsetsize
    rt_sigreturn: | ioctl: fd request arg | pread64: fd buf count offset | pwrite64: fd buf count offset
    readv: fd iov iovcnt | writev: fd iov iovcnt | access: pathname mode | select: nfds readfds writefds exceptfds timeout
    mremap: old_address old_size new_size flags new_address | madvise: addr length advice
    mincore: addr length vec | pause: | getitimer: which curr_value | setitimer: which new_value old_value
    socket: domain type protocol | connect: sockfd addr addrlen | accept: sockfd addr addrlen
    sendto: sockfd buf len flags dest_addr addrlen | recvfrom: sockfd buf len flags src_addr addrlen
    sendmsg: sockfd msg flags | recvmsg: sockfd msg flags | shutdown: sockfd how | bind: sockfd addr addrlen
    listen: sockfd backlog | getsockname: sockfd addr addrlen | getpeername: sockfd addr addrlen
    socketpair: domain type protocol sv | setsockopt: sockfd level optname optval optlen
    getsockopt: sockfd level optname optval optlen | fork: | vfork: | execve: pathname argv envp
    wait4: pid wstatus options rusage | kill: pid sig | fcntl: fd cmd arg | flock: fd operation
    fsync: fd | fdatasync: fd | truncate: path length | ftruncate: fd length | getdents: fd dirp count
    getcwd: buf size | chdir: path | fchdir: fd | rename: oldpath newpath | mkdir: pathname mode
    rmdir: pathname | creat: pathname mode | link: oldpath newpath | unlink: pathname
    symlink: target linkpath | readlink: pathname buf bufsiz | chmod: pathname mode | fchmod: fd mode
    umask: mask | getrlimit: resource rlim | getrusage: who usage | sysinfo: info | times: buf
    sigaltstack: ss old_ss | prctl: option arg2 arg3 arg4 arg5 | setrlimit: resource rlim
    tkill: tid sig | time: tloc | sched_setaffinity: pid cpusetsize mask | sched_getaffinity: pid cpusetsize mask
    getdents64: fd dirp count | set_tid_address: tidptr | clock_getres: clockid res
    clock_nanosleep: clockid flags request remain | epoll_wait: epfd events maxevents timeout
    epoll_ctl: epfd op fd event | tgkill: tgid tid sig | waitid: idtype id infop options
    newfstatat: dirfd pathname statbuf flags | unlinkat: dirfd pathname flags | readlinkat: dirfd pathname buf bufsiz
    faccessat: dirfd pathname mode | ppoll: fds nfds tmo_p sigmask sigsetsize | set_robust_list: head len
    epoll_pwait: epfd events maxevents timeout sigmask sigsetsize | eventfd2: initval flags
    epoll_create1: flags | accept4: sockfd addr addrlen flags | prlimit64: pid resource new_limit old_limit
    getrandom: buf buflen flags | statx: dirfd pathname flags mask statxbuf | rseq: rseq rseq_len flags sig
    clone3: cl_args size | close_range: first last flags | openat2: dirfd pathname how size
    faccessat2: dirfd pathname mode flags | epoll_create: size | eventfd: initval
    sched_getparam: pid param | memfd_create: name flags | pidfd_open: pid flags | getcpu: cpu node tcache
"""
ARGNAMES: dict[str, tuple[str, ...]] = {
    name.strip(): tuple(args.split())
    for name, _, args in (entry.partition(":") for entry in re.split(r"[|\n]", _ARGNAMES) if entry.strip())
}


def name_of(nr: int) -> str:
    """The Linux name of syscall ``nr``, or ``syscall_<nr>`` for a number x86-64 does not define."""
    return NAMES.get(nr, f"syscall_{nr}")


# A number as C and Go write it: decimal, 0x hex, 0b binary, 0o or a leading 0 for octal.
_NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]+|0|[1-9][0-9]*)")
_NUMBERISH = re.compile(r"[+-]?[0-9]")
MAX_NUMBER_CHARS = 100           # no 64-bit value needs more; refused before any conversion


def shown(text: str, limit: int = 40) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"… ({len(text)} characters)"


def parse_number(text: str) -> int:
    """A 64-bit register value written as a number: ``42``, ``-1``, ``0x2a``, ``0b101``, and
    octal as C and Go write it (``0777``) or as Python does (``0o777``); ``_`` separators are
    allowed. ValueError (one line) for anything else or for a value no register holds."""
    t = text.strip().replace("_", "")
    if len(t) > MAX_NUMBER_CHARS:
        raise ValueError(f"{shown(text)} is too long to be a 64-bit number")
    if not _NUMBER.fullmatch(t):
        why = " (a leading 0 means octal, as in C and Go)" if re.fullmatch(r"[+-]?0[0-9]+", t) else ""
        raise ValueError(f"not a number: {shown(text)}{why}")
    sign = -1 if t[0] == "-" else 1
    body = t.lstrip("+-")
    v = sign * (int(body[1:], 8) if len(body) > 1 and body[0] == "0" and body[1].isdigit() else int(body, 0))
    if not -(1 << 63) <= v < (1 << 64):
        raise ValueError(f"{shown(text)} does not fit in a 64-bit register")
    return v


def lookup(name_or_number: str | int) -> int:
    """The syscall number for a name (``getpid``, ``SYS_getpid``) or a number (``39``, ``"0x27"``).

    Numbers are returned as given, known or not (the kernel answers unknown ones with
    ``-ENOSYS``), but must fit in RAX. An unknown name raises ValueError naming the closest
    known names.
    """
    if isinstance(name_or_number, int):
        return name_or_number
    text = str(name_or_number).strip()
    if _NUMBERISH.match(text):
        try:
            return parse_number(text)
        except ValueError as e:
            raise ValueError(f"syscall number: {e}") from None
    key = text.lower()
    for prefix in ("sys_", "__nr_"):
        if key.startswith(prefix) and key[len(prefix):] in SYS:
            key = key[len(prefix):]
    if key in SYS:
        return SYS[key]
    close = difflib.get_close_matches(key, SYS, n=3, cutoff=0.6) if len(key) <= 64 else []
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise ValueError(f"unknown syscall {shown(text)}{hint}")
