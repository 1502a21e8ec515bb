/*
 * The parent's view of a sandbox child: the context it shares with the child until exec,
 * and the call that clones it. Only spawn.c runs code in the child.
 */
#ifndef BRIG_SPAWN_H
#define BRIG_SPAWN_H

#include <stddef.h>
#include <stdint.h>

#include "ops.h"

struct spawn_ctx {
  uint8_t *ops; /* malloc'd copy of the operation list, read by the child */
  size_t ops_len;
  void *stack; /* the child's stack, mmap'd */
  int report_fd, sync_fd; /* the child's ends: valid only inside the child */
  int parent_report_fd, parent_sync_fd; /* the parent's ends, closed first in the child */
  int regs[BRIG_MAX_REGS]; /* written by the child (OP_OPEN_REG) */
};

/* Clone the child. Returns its pid (> 0) or -errno. On success the parent's ends of the
 * report and sync sockets and the pidfd are returned; `c` must stay alive until the
 * report socket reaches EOF. */
int spawn_child(struct spawn_ctx *c, uint64_t clone_flags, int cgroup_fd, int *out_pidfd,
                int *out_report_fd, int *out_sync_fd);
void spawn_ctx_free(struct spawn_ctx *c);

#endif
