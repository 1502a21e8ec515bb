/*
 * The sandbox child: walks the operation list (ops.h) with raw system calls until execve.
 *
 * This code runs in a child cloned with CLONE_VM: it shares its memory with the
 * multithreaded Node process. It must not touch errno, malloc, stdio, locks, or anything
 * resolved lazily through the PLT (the dynamic linker's resolver uses the parent thread's
 * TLS). It is therefore compiled freestanding, without builtins that could become libc
 * calls, and a test checks that child.o needs no symbol from anywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "child.h"
#include "ops.h"
#include "sys.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
/* The nested-map helper runs on the low end of the child's stack; the child itself
 * uses a few kilobytes at the top. */
#define NESTED_HELPER_STACK (32 * 1024)

#ifndef SECCOMP_SET_MODE_FILTER
#define SECCOMP_SET_MODE_FILTER 1
#endif

#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#define FSCONFIG_CMD_CREATE 6
#define FSMOUNT_CLOEXEC 0x00000001
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#define SYS_fsconfig 431
#define SYS_fsmount 432
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

/* The clone3 trampoline: the child must not return into the caller's frame (it has a new
 * stack), so it calls fn(arg) straight from assembly and exits with its result. */
long brig_clone3(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);
#if defined(__x86_64__)
__asm__(".text\n"
        ".globl brig_clone3\n"
        ".type brig_clone3,@function\n"
        "brig_clone3:\n"
        "  mov %rdx, %r8\n"
        "  mov %rcx, %r9\n"
        "  mov $435, %eax\n"
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  xor %ebp, %ebp\n"
        "  mov %r9, %rdi\n"
        "  call *%r8\n"
        "  mov %eax, %edi\n"
        "  mov $231, %eax\n"
        "  syscall\n"
        "  hlt\n"
        "1: ret\n"
        ".size brig_clone3, .-brig_clone3\n");
#elif defined(__aarch64__)
__asm__(".text\n"
        ".globl brig_clone3\n"
        ".type brig_clone3,%function\n"
        "brig_clone3:\n"
        "  mov x10, x2\n"
        "  mov x11, x3\n"
        "  mov x8, #435\n"
        "  svc #0\n"
        "  cbnz x0, 1f\n"
        "  mov x29, #0\n"
        "  mov x0, x11\n"
        "  blr x10\n"
        "  mov x8, #94\n"
        "  svc #0\n"
        "1: ret\n"
        ".size brig_clone3, .-brig_clone3\n");
#endif

struct reader {
  const uint8_t *p;
};

static uint32_t rd32(struct reader *r) {
  uint32_t v;
  __builtin_memcpy(&v, r->p, 4);
  r->p += 4;
  return v;
}
static uint64_t rd64(struct reader *r) {
  uint64_t v;
  __builtin_memcpy(&v, r->p, 8);
  r->p += 8;
  return v;
}
static const char *rdstr(struct reader *r) {
  const char *s = (const char *)r->p;
  while (*r->p) r->p++;
  r->p++;
  return s;
}
static const char *opt_str(const char *s) { return *s ? s : 0; }

static void report(struct spawn_ctx *c, int kind, int index, int err) {
  struct brig_record rec = {kind, index, err, 0};
  SYS4(SYS_sendto, c->report_fd, &rec, sizeof rec, MSG_NOSIGNAL);
}

static long lo_up(void) {
  long s = SYS3(SYS_socket, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return s;
  struct ifreq ifr;
  __builtin_memset(&ifr, 0, sizeof ifr);
  ifr.ifr_name[0] = 'l';
  ifr.ifr_name[1] = 'o';
  long r = SYS3(SYS_ioctl, s, SIOCGIFFLAGS, &ifr);
  if (r == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    r = SYS3(SYS_ioctl, s, SIOCSIFFLAGS, &ifr);
  }
  SYS1(SYS_close, s);
  return r;
}

static long set_caps(uint64_t keep) {
  for (int cap = 0; cap <= 63; cap++) {
    if (keep & (1ULL << cap)) continue;
    long r = SYS5(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0);
    if (r == -EINVAL) break; /* past the kernel's last capability */
    if (r < 0) return r;
  }
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  long r = SYS2(SYS_capget, &hdr, data);
  if (r < 0) return r;
  data[0].inheritable = (uint32_t)keep & data[0].permitted;
  data[1].inheritable = (uint32_t)(keep >> 32) & data[1].permitted;
  r = SYS2(SYS_capset, &hdr, data);
  if (r < 0) return r;
  SYS5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  /* Ambient capabilities carry the kept set across exec for a non-root uid too. */
  uint64_t permitted = data[0].permitted | ((uint64_t)data[1].permitted << 32);
  for (int cap = 0; cap <= 63; cap++) {
    if (!(keep & permitted & (1ULL << cap))) continue;
    r = SYS5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
    if (r == -EINVAL) break;
    if (r < 0) return r;
  }
  return 0;
}

/* setresuid that keeps the permitted capabilities and raises them as effective again: the
 * child switches to its inside ids before it builds mounts, and still needs the caps. */
static long setresuid_keep_caps(uint32_t uid) {
  long e = SYS5(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0);
  if (e == 0) e = SYS3(SYS_setresuid, uid, uid, uid);
  SYS5(SYS_prctl, PR_SET_KEEPCAPS, 0, 0, 0, 0);
  if (e < 0) return e;
  /* Changing the euid made the child non-dumpable, which hands its /proc/self files to
   * the host's root: the nested id maps under --keep-caps could not be written. */
  e = SYS5(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0);
  if (e < 0) return e;
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  e = SYS2(SYS_capget, &hdr, data);
  if (e < 0) return e;
  data[0].effective = data[0].permitted;
  data[1].effective = data[1].permitted;
  return SYS2(SYS_capset, &hdr, data);
}

/* The fallback where pivot_root is impossible (a root on the initramfs, which cannot be
 * unmounted): move the new root over / and chroot into it. The cwd is the new root. */
static long move_root(void) {
  long e = SYS5(SYS_mount, ".", "/", 0, MS_MOVE, 0);
  if (e == 0) e = SYS1(SYS_chroot, ".");
  if (e == 0) e = SYS1(SYS_chdir, "/");
  return e;
}

static long place_fds(struct spawn_ctx *c, struct reader *r) {
  uint32_t n = rd32(r);
  rd32(r);
  int src[BRIG_MAX_FDS], dst[BRIG_MAX_FDS], tmp[BRIG_MAX_FDS];
  if (n > BRIG_MAX_FDS) return -EINVAL;
  int high = 3;
  for (uint32_t i = 0; i < n; i++) {
    src[i] = (int32_t)rd32(r);
    dst[i] = (int32_t)rd32(r);
    if (src[i] < 0) src[i] = c->report_fd;
    if (src[i] >= high) high = src[i] + 1;
    if (dst[i] >= high) high = dst[i] + 1;
  }
  /* Two passes so that moving one fd never clobbers the source of another. */
  for (uint32_t i = 0; i < n; i++) {
    long t = SYS3(SYS_fcntl, src[i], F_DUPFD_CLOEXEC, high);
    if (t < 0) return t;
    tmp[i] = (int)t;
  }
  int maxdst = 2;
  for (uint32_t i = 0; i < n; i++) {
    long e = SYS3(SYS_dup3, tmp[i], dst[i], 0);
    if (e < 0) return e;
    if (dst[i] > maxdst) maxdst = dst[i];
  }
  for (uint32_t i = 0; i < n; i++) SYS1(SYS_close, tmp[i]);
  /* Everything else becomes close-on-exec: the report socket must stay usable until the
   * exec itself, and caller fds opened without O_CLOEXEC must not leak into the sandbox.
   * Fds below maxdst that were not placed are marked too. */
  for (int fd = 0; fd < maxdst; fd++) {
    int placed = 0;
    for (uint32_t i = 0; i < n; i++) placed |= dst[i] == fd;
    if (!placed) SYS3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
  }
  return SYS3(SYS_close_range, maxdst + 1, ~0U, CLOSE_RANGE_CLOEXEC);
}

/* Fill pointer slots from consecutive strings: returns the reader after them. */
static void fill_slots(struct reader *r, uint64_t *slots, uint32_t count) {
  for (uint32_t i = 0; i < count; i++) slots[i] = (uint64_t)(uintptr_t)rdstr(r);
  slots[count] = 0;
}

static long is_dir(const char *path) {
  struct stat st;
  if (SYS4(SYS_newfstatat, AT_FDCWD, path, &st, 0) < 0) return 0;
  return S_ISDIR(st.st_mode);
}

static long do_execve(struct reader *r) {
  uint32_t npaths = rd32(r), argc = rd32(r), envc = rd32(r);
  rd32(r);
  uint64_t *slots = (uint64_t *)r->p;
  r->p += 8 * (argc + 1 + envc + 1);
  const char *paths = (const char *)r->p;
  for (uint32_t i = 0; i < npaths; i++) rdstr(r);
  fill_slots(r, slots, argc);
  fill_slots(r, slots + argc + 1, envc);
  /* Lowering the mask is the last step: pending signals then act with default handlers. */
  uint64_t none = 0;
  SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
  long err = -ENOENT, seen_eacces = 0;
  const char *p = paths;
  for (uint32_t i = 0; i < npaths; i++) {
    err = SYS3(SYS_execve, p, slots, slots + argc + 1);
    if (err == -EACCES) {
      if (npaths == 1 && is_dir(p)) return -EISDIR;
      seen_eacces = 1;
    } else if (err != -ENOENT && err != -ENOTDIR && err != -ESTALE && err != -ENODEV &&
               err != -ETIMEDOUT) {
      return err;
    }
    while (*p) p++;
    p++;
  }
  return seen_eacces ? -EACCES : err;
}

static long do_execveat(struct spawn_ctx *c, struct reader *r) {
  uint32_t reg = rd32(r), argc = rd32(r), envc = rd32(r);
  rd32(r);
  uint64_t *slots = (uint64_t *)r->p;
  r->p += 8 * (argc + 1 + envc + 1);
  fill_slots(r, slots, argc);
  fill_slots(r, slots + argc + 1, envc);
  uint64_t none = 0;
  SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
  return SYS5(SYS_execveat, c->regs[reg], "", slots, slots + argc + 1, AT_EMPTY_PATH);
}

/* OP_NESTED_USERNS: only a process outside a user namespace, with CAP_SETUID there, may
 * write a map wider than its own one id. So a helper is cloned first (sharing memory, on
 * the low end of this stack); it waits until we have unshared, writes our maps, and
 * exits with 0 or an errno, and we reap it before going on. */
struct nested_job {
  int go_fd;
  const char *uid_map, *gid_map;
  char uid_path[40], gid_path[40];
};

static long write_text(const char *path, const char *text) {
  long len = 0;
  while (text[len]) len++;
  long fd = SYS4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
  if (fd < 0) return fd;
  long n = SYS3(SYS_write, fd, text, len);
  SYS1(SYS_close, fd);
  return n < 0 ? n : 0;
}

static int nested_helper(void *arg) {
  struct nested_job *job = arg;
  char b;
  if (SYS3(SYS_read, job->go_fd, &b, 1) != 1) return 255;
  long e = write_text(job->uid_path, job->uid_map);
  if (e == 0) e = write_text(job->gid_path, job->gid_map);
  return (int)-e;
}

static void proc_path(char *out, long pid, const char *file) {
  char digits[20];
  int n = 0, i = 0;
  do digits[n++] = (char)('0' + pid % 10); while ((pid /= 10) > 0);
  for (const char *p = "/proc/"; *p; p++) out[i++] = *p;
  while (n) out[i++] = digits[--n];
  out[i++] = '/';
  for (const char *p = file; *p; p++) out[i++] = *p;
  out[i] = 0;
}

static long nested_userns(struct spawn_ctx *c, struct reader *r) {
  struct nested_job job;
  job.uid_map = rdstr(r);
  job.gid_map = rdstr(r);
  long self = SYS0(SYS_getpid);
  proc_path(job.uid_path, self, "uid_map");
  proc_path(job.gid_path, self, "gid_map");
  int go[2];
  long e = SYS2(SYS_pipe2, go, O_CLOEXEC);
  if (e < 0) return e;
  job.go_fd = go[0];
  struct clone_args args;
  __builtin_memset(&args, 0, sizeof args);
  args.flags = CLONE_VM;
  args.exit_signal = SIGCHLD;
  args.stack = (uint64_t)(uintptr_t)c->stack;
  args.stack_size = NESTED_HELPER_STACK;
  long helper = brig_clone3(&args, sizeof args, nested_helper, &job);
  if (helper < 0) {
    SYS1(SYS_close, go[0]);
    SYS1(SYS_close, go[1]);
    return helper;
  }
  e = SYS1(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS);
  if (e == 0) SYS3(SYS_write, go[1], "g", 1);
  SYS1(SYS_close, go[1]); /* on failure the helper reads EOF and gives up */
  SYS1(SYS_close, go[0]);
  int status = 0;
  while (SYS4(SYS_wait4, helper, &status, 0, 0) == -EINTR) {
  }
  if (e < 0) return e;
  if ((status & 0x7f) != 0) return -ECHILD;
  int code = (status >> 8) & 0xff;
  return code ? -code : 0;
}

static long run_op(struct spawn_ctx *c, uint32_t code, struct reader *r) {
  switch (code) {
    case OP_WAIT_PARENT: {
      char b;
      long n = SYS3(SYS_read, c->sync_fd, &b, 1);
      if (n == 1) return 0;
      SYS1(SYS_exit_group, 255); /* the parent gave up on us: nothing to report */
      return -EPIPE;
    }
    case OP_MOUNT: {
      uint64_t flags = rd64(r);
      const char *src = rdstr(r), *dst = rdstr(r), *fs = rdstr(r), *data = rdstr(r);
      return SYS5(SYS_mount, opt_str(src), dst, opt_str(fs), flags, opt_str(data));
    }
    case OP_MOUNT_SETATTR: {
      struct {
        uint64_t set, clr, prop, userns;
      } attr = {0, 0, 0, 0};
      attr.set = rd64(r);
      attr.clr = rd64(r);
      uint32_t at = rd32(r);
      int32_t reg = (int32_t)rd32(r);
      const char *path = rdstr(r);
      if (reg >= 0) {
        if (reg >= BRIG_MAX_REGS) return -EINVAL;
        return SYS5(SYS_mount_setattr, c->regs[reg], "", at | AT_EMPTY_PATH, &attr, sizeof attr);
      }
      return SYS5(SYS_mount_setattr, AT_FDCWD, path, at, &attr, sizeof attr);
    }
    case OP_PIVOT_ROOT: {
      long e = SYS1(SYS_chdir, rdstr(r));
      if (e < 0) return e;
      e = SYS2(SYS_pivot_root, ".", ".");
      if (e == -EINVAL) return move_root(); /* the current root is the initramfs */
      if (e == 0) e = SYS2(SYS_umount2, ".", MNT_DETACH);
      if (e == 0) e = SYS1(SYS_chdir, "/");
      return e;
    }
    case OP_MOVE_ROOT: {
      long e = SYS1(SYS_chdir, rdstr(r));
      return e < 0 ? e : move_root();
    }
    case OP_MKDIR: {
      uint32_t mode = rd32(r);
      rd32(r);
      long e = SYS3(SYS_mkdirat, AT_FDCWD, rdstr(r), mode);
      return e == -EEXIST ? 0 : e;
    }
    case OP_MKFILE: {
      uint32_t mode = rd32(r);
      rd32(r);
      long fd = SYS4(SYS_openat, AT_FDCWD, rdstr(r), O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
                     mode);
      if (fd == -EEXIST || fd == -EISDIR) return 0;
      if (fd < 0) return fd;
      SYS1(SYS_close, fd);
      return 0;
    }
    case OP_SYMLINK: {
      const char *target = rdstr(r), *link = rdstr(r);
      return SYS3(SYS_symlinkat, target, AT_FDCWD, link);
    }
    case OP_CHDIR:
      return SYS1(SYS_chdir, rdstr(r));
    case OP_SETHOSTNAME: {
      const char *name = rdstr(r);
      long len = 0;
      while (name[len]) len++;
      return SYS2(SYS_sethostname, name, len);
    }
    case OP_SETRLIMIT: {
      uint32_t res = rd32(r);
      rd32(r);
      uint64_t lim[2];
      lim[0] = rd64(r);
      lim[1] = rd64(r);
      return SYS4(SYS_prlimit64, 0, res, lim, 0);
    }
    case OP_SETSID:
      return SYS0(SYS_setsid) < 0 ? -EPERM : 0;
    case OP_NEW_KEYRING: {
      long e = SYS2(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, 0);
      return e < 0 ? e : 0;
    }
    case OP_LOOPBACK_UP:
      return lo_up();
    case OP_SETGROUPS: {
      uint32_t n = rd32(r);
      rd32(r);
      long e = SYS2(SYS_setgroups, n, r->p);
      r->p += ((n * 4 + 7) & ~7u);
      return e;
    }
    case OP_SETRESGID: {
      uint32_t gid = rd32(r);
      return SYS3(SYS_setresgid, gid, gid, gid);
    }
    case OP_SETRESUID: {
      uint32_t uid = rd32(r), keep = rd32(r);
      return keep ? setresuid_keep_caps(uid) : SYS3(SYS_setresuid, uid, uid, uid);
    }
    case OP_CAPS:
      return set_caps(rd64(r));
    case OP_NO_NEW_PRIVS:
      return SYS5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    case OP_UNSHARE:
      return SYS1(SYS_unshare, rd64(r));
    case OP_WRITE_FILE: {
      const char *path = rdstr(r);
      return write_text(path, rdstr(r));
    }
    case OP_PDEATHSIG: {
      long e = SYS5(SYS_prctl, PR_SET_PDEATHSIG, rd32(r), 0, 0, 0);
      if (e < 0) return e;
      /* The parent may have died before the signal was armed: its end of the report
       * socket is then closed. getppid() cannot tell, it reads 0 in a new PID namespace. */
      struct pollfd p = {c->report_fd, 0, 0};
      if (SYS3(SYS_poll, &p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR))) return -ESRCH;
      return 0;
    }
    case OP_FDS:
      return place_fds(c, r);
    case OP_OPEN_REG: {
      uint32_t flags = rd32(r), reg = rd32(r);
      long fd = SYS4(SYS_openat, AT_FDCWD, rdstr(r), flags | O_CLOEXEC, 0);
      if (fd < 0) return fd;
      if (reg >= BRIG_MAX_REGS) return -EINVAL;
      c->regs[reg] = (int)fd;
      return 0;
    }
    case OP_EXECVE:
      return do_execve(r);
    case OP_EXECVEAT:
      return do_execveat(c, r);
    case OP_NICE:
      return SYS3(SYS_setpriority, 0, 0, (int32_t)rd32(r));
    case OP_OPEN_TREE: {
      uint32_t reg = rd32(r);
      rd32(r);
      if (reg >= BRIG_MAX_REGS) return -EINVAL;
      long fd = SYS3(SYS_open_tree, AT_FDCWD, rdstr(r), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
      if (fd < 0) return fd;
      c->regs[reg] = (int)fd;
      return 0;
    }
    case OP_SECCOMP: {
      uint32_t flags = rd32(r), count = rd32(r);
      struct {
        unsigned short len;
        const void *filter;
      } prog = {(unsigned short)count, r->p};
      r->p += 8 * count;
      return SYS3(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    }
    case OP_NESTED_USERNS:
      return nested_userns(c, r);
    case OP_FSMOUNT: {
      uint32_t reg = rd32(r), attrs = rd32(r);
      const char *fstype = rdstr(r);
      if (reg >= BRIG_MAX_REGS) return -EINVAL;
      long fs = SYS2(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
      if (fs < 0) return fs;
      long e = SYS5(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, 0, 0, 0);
      if (e == 0) e = SYS3(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
      SYS1(SYS_close, fs);
      if (e < 0) return e;
      c->regs[reg] = (int)e;
      return 0;
    }
    case OP_MOVE_MOUNT: {
      uint32_t reg = rd32(r);
      rd32(r);
      if (reg >= BRIG_MAX_REGS) return -EINVAL;
      long e = SYS5(SYS_move_mount, c->regs[reg], "", AT_FDCWD, rdstr(r), MOVE_MOUNT_F_EMPTY_PATH);
      SYS1(SYS_close, c->regs[reg]);
      c->regs[reg] = -1;
      return e;
    }
    default:
      return -ENOSYS;
  }
}

int brig_child_main(void *arg) {
  struct spawn_ctx *c = arg;
  /* The child has its own copy of the fd table: without closing the parent's ends it
   * would keep its own sockets open and never see the parent die (EOF, POLLHUP). */
  SYS1(SYS_close, c->parent_report_fd);
  SYS1(SYS_close, c->parent_sync_fd);
  /* Die with the parent from the start; id changes clear this, so OP_PDEATHSIG arms it
   * again after the last one and checks that the parent is still there. */
  SYS5(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  /* Node's handlers live in memory we share but must not run here: default them all
   * while every signal is still blocked (the parent blocked them around clone3). */
  struct {
    uint64_t handler, flags, restorer, mask;
  } dfl = {0, 0, 0, 0};
  for (int sig = 1; sig <= 64; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    SYS4(SYS_rt_sigaction, sig, &dfl, 0, 8);
  }
  const uint8_t *p = c->ops, *end = c->ops + c->ops_len;
  for (int index = 0; p < end; index++) {
    struct reader r = {p + 8};
    uint32_t code, size;
    __builtin_memcpy(&code, p, 4);
    __builtin_memcpy(&size, p + 4, 4);
    long e = run_op(c, code, &r);
    if (e < 0) {
      report(c, REPORT_ERROR, index, (int)-e);
      return 255;
    }
    p += size;
  }
  report(c, REPORT_ERROR, -1, ENOEXEC); /* the list must end in an exec */
  return 255;
}
