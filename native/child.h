/* The entry point of the sandbox child (child.c), called by the clone3 trampoline. */
#ifndef BRIG_CHILD_H
#define BRIG_CHILD_H

#include "spawn.h"

#include <linux/sched.h>

/* clone3 that runs fn(arg) on the new stack in the child and exits with its result:
 * the child must never return into the caller's frame. Returns the pid or -errno. */
long brig_clone3(struct clone_args *args, size_t size, int (*fn)(void *), void *arg);

/* Runs the operation list of a struct spawn_ctx; returns only on failure (exit status). */
int brig_child_main(void *ctx);

#endif
