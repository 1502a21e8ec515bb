/*
 * Launch a sandbox child: clone3 with CLONE_VM on a private stack, running
 * brig_child_main (child.c) there.
 *
 * Why CLONE_VM: a fork-style clone copies the page tables of the whole Node process, so
 * its cost grows with the heap. Sharing the memory keeps the launch flat, at the price of
 * strict rules for the child (see child.c). The parent keeps the context and stack alive
 * until the report socket reaches EOF (exec done or child gone).
 */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child.h"

#define CHILD_STACK_SIZE (256 * 1024)


/* ---- parent side ---- */

void spawn_ctx_free(struct spawn_ctx *c) {
  if (!c) return;
  if (c->stack) munmap(c->stack, CHILD_STACK_SIZE);
  free(c->ops);
  free(c);
}

int spawn_child(struct spawn_ctx *c, uint64_t clone_flags, int cgroup_fd, int *out_pidfd,
                int *out_report_fd, int *out_sync_fd) {
  int report[2] = {-1, -1}, sync[2] = {-1, -1};
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, report) < 0) return -errno;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sync) < 0) {
    int e = -errno;
    close(report[0]);
    close(report[1]);
    return e;
  }
  c->stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (c->stack == MAP_FAILED) {
    c->stack = NULL;
    int e = -errno;
    close(report[0]), close(report[1]), close(sync[0]), close(sync[1]);
    return e;
  }
  c->report_fd = report[1];
  c->sync_fd = sync[1];
  c->parent_report_fd = report[0];
  c->parent_sync_fd = sync[0];
  for (int i = 0; i < BRIG_MAX_REGS; i++) c->regs[i] = -1;

  int pidfd = -1;
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = clone_flags | CLONE_VM | CLONE_PIDFD;
  args.pidfd = (uint64_t)(uintptr_t)&pidfd;
  args.exit_signal = SIGCHLD;
  args.stack = (uint64_t)(uintptr_t)c->stack;
  args.stack_size = CHILD_STACK_SIZE;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = (uint64_t)cgroup_fd;
  }

  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  long pid = brig_clone3(&args, sizeof args, brig_child_main, c);
  pthread_sigmask(SIG_SETMASK, &old, NULL);

  close(report[1]);
  close(sync[1]);
  if (pid < 0) {
    close(report[0]);
    close(sync[0]);
    return (int)pid;
  }
  *out_pidfd = pidfd;
  *out_report_fd = report[0];
  *out_sync_fd = sync[0];
  return (int)pid;
}
