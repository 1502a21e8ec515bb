/*
 * The C floor for the launch benchmark: clone3 with the same namespace flags brig uses
 * (user, pid, mount, net, uts, ipc, cgroup, time), execve, wait. Nothing else: no id maps,
 * no mounts. Usage: floor N [nonet] -> prints N latencies in microseconds, one per line.
 * With FLOOR_INFLIGHT=k it keeps k launches in flight and prints total seconds instead.
 */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static pid_t launch(uint64_t flags) {
  struct clone_args args;
  memset(&args, 0, sizeof args);
  args.flags = flags;
  args.exit_signal = SIGCHLD;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) {
    char *argv[] = {"/bin/true", NULL}, *envp[] = {NULL};
    execve(argv[0], argv, envp);
    _exit(127);
  }
  if (pid < 0) {
    perror("clone3");
    exit(1);
  }
  return (pid_t)pid;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100;
  uint64_t flags = CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
                   CLONE_NEWCGROUP | CLONE_NEWTIME;
  if (!(argc > 2 && strcmp(argv[2], "nonet") == 0)) flags |= CLONE_NEWNET;
  const char *inflight = getenv("FLOOR_INFLIGHT");
  if (inflight) {
    int k = atoi(inflight), running = 0, started = 0;
    double t0 = now_us();
    while (started < n || running > 0) {
      while (running < k && started < n) launch(flags), running++, started++;
      int st;
      if (wait(&st) > 0) running--;
    }
    printf("%f\n", (now_us() - t0) / 1e6);
    return 0;
  }
  for (int i = 0; i < n; i++) {
    double t = now_us();
    pid_t pid = launch(flags);
    int st;
    waitpid(pid, &st, 0);
    printf("%.1f\n", now_us() - t);
  }
  return 0;
}
