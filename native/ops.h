/*
 * The operation list the sandbox child executes: its wire format.
 *
 * TypeScript (src/plan/encode.ts) builds one flat little-endian buffer of operations; the
 * child walks it in order and stops at the first failure, reporting the operation's index.
 * Every operation is: u32 code, u32 size (bytes, header included, multiple of 8), then its
 * fields. Integers come first (u32 fields padded to keep u64 fields 8-aligned); strings
 * follow, each NUL-terminated, in the order listed. Keep in sync with src/plan/encode.ts.
 */
#ifndef BRIG_OPS_H
#define BRIG_OPS_H

enum brig_op {
  OP_WAIT_PARENT = 1,   /* -                      block until the parent releases the child */
  OP_MOUNT = 2,         /* u64 flags; s source, s target, s fstype, s data ("" = NULL) */
  OP_MOUNT_SETATTR = 3, /* u64 set, u64 clear, u32 at_flags, i32 reg (-1: use path); s path */
  OP_PIVOT_ROOT = 4,    /* s newroot: chdir, pivot_root(".", "."), umount2(".", DETACH), chdir("/");
                           where pivot_root gives EINVAL (initramfs root), OP_MOVE_ROOT instead */
  OP_MOVE_ROOT = 5,     /* s newroot: chdir, mount(".", "/", MS_MOVE), chroot("."), chdir("/") */
  OP_MKDIR = 6,         /* u32 mode, u32 pad; s path (EEXIST is fine) */
  OP_MKFILE = 7,        /* u32 mode, u32 pad; s path (EEXIST is fine) */
  OP_SYMLINK = 8,       /* s target, s linkpath */
  OP_CHDIR = 9,         /* s path */
  OP_SETHOSTNAME = 10,  /* s name */
  OP_SETRLIMIT = 11,    /* u32 resource, u32 pad, u64 soft, u64 hard */
  OP_SETSID = 12,       /* - */
  OP_NEW_KEYRING = 13,  /* - join a new anonymous session keyring */
  OP_LOOPBACK_UP = 14,  /* - */
  OP_SETGROUPS = 15,    /* u32 count, u32 pad, u32 gids[count] (padded to 8) */
  OP_SETRESGID = 16,    /* u32 gid, u32 pad */
  OP_SETRESUID = 17,    /* u32 uid, u32 keep: keep == 1 keeps the capabilities across the change */
  OP_CAPS = 18,         /* u64 keep: drop others from the bounding set; keep -> inheritable+ambient */
  OP_NO_NEW_PRIVS = 19, /* - */
  OP_UNSHARE = 20,      /* u64 flags */
  OP_WRITE_FILE = 21,   /* s path, s content */
  OP_PDEATHSIG = 22,    /* u32 signal, u32 pad: arm, then fail with ESRCH if the parent is gone */
  OP_FDS = 23,          /* u32 count, u32 pad, then count x (i32 src, i32 dst): place fds, mark the
                           rest close-on-exec. src -1 = the report socket (not close-on-exec) */
  OP_OPEN_REG = 24,     /* u32 flags, u32 reg; s path: fd kept in register reg for OP_EXECVEAT */
  OP_EXECVE = 25,       /* u32 npaths, u32 argc, u32 envc, u32 pad, u64 slots[argc+1+envc+1]
                           (pointer space the child fills), then s paths[npaths], s argv[argc],
                           s env[envc]: tries each path in turn like execvp, without the
                           /bin/sh fallback */
  OP_EXECVEAT = 26,     /* u32 reg, u32 argc, u32 envc, u32 pad, u64 slots[...], s argv, s env */
  OP_NICE = 27,         /* i32 nice, u32 pad */
  OP_OPEN_TREE = 28,    /* u32 reg, u32 pad; s path: a detached recursive copy of the mount tree */
  OP_MOVE_MOUNT = 29,   /* u32 reg, u32 pad; s target: attach the tree from register reg */
  OP_NESTED_USERNS = 31, /* s uid_map, s gid_map: unshare(CLONE_NEWUSER | CLONE_NEWNS), with
                           the maps written by a helper left outside (any width) */
  OP_SECCOMP = 32,      /* u32 flags, u32 count, then count x struct sock_filter (8 bytes each):
                           install the filter (the last step before exec) */
  OP_FSMOUNT = 30,      /* u32 reg, u32 mount_attrs; s fstype: a new detached mount (fsopen,
                           fsmount) kept in register reg, for OP_MOVE_MOUNT */
};

/* Records the child (or brig-init) sends on the report socket: four native int32. */
enum brig_report {
  REPORT_ERROR = 1,    /* index, errno */
  REPORT_READY = 2,    /* value = pid of the command (under brig-init) */
  REPORT_EXITED = 3,   /* value = exit code */
  REPORT_SIGNALED = 4, /* value = signal */
};

struct brig_record {
  int kind, index, err, value;
};

#define BRIG_MAX_REGS 256
#define BRIG_MAX_FDS 256

#endif
