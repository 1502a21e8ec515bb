/* The entry point of the sandbox child (child.c), called by the clone3 trampoline. */
#ifndef BRIG_CHILD_H
#define BRIG_CHILD_H

#include "spawn.h"

/* Runs the operation list of a struct spawn_ctx; returns only on failure (exit status). */
int brig_child_main(void *ctx);

#endif
