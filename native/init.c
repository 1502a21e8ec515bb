/*
 * brig-init: a tiny static reaper that brig execs as PID 1 of a new PID
 * namespace when the user passes --init.
 *
 *   brig-init [--seccomp=FLAGS:HEX] REPORT_FD EXEC_INDEX COMMAND [ARG0 ARGS...]
 *
 * With --seccomp, the filter (struct sock_filter bytes in hex) is installed in the
 * command's process just before its exec, so init itself stays unfiltered.
 * It runs COMMAND (with argv ARG0 ARGS..., environment unchanged) as its only
 * direct child, forwards the signals it receives to it, reaps every process
 * that gets reparented to it, and exits with the command's status once the
 * command has been reaped.  Because a namespace's PID 1 cannot usefully kill
 * itself with a signal, the outcome is also reported to brig over REPORT_FD
 * (a SOCK_SEQPACKET socket) as 16-byte records of four native-endian int32
 * { kind, index, err, value }:
 *   1 ERROR    exec failed: index = EXEC_INDEX, err = errno, value = 0
 *   2 READY    exec succeeded: value = the command's pid (as seen by init)
 *   3 EXITED   the command exited: value = exit code
 *   4 SIGNALED the command was killed: value = signal number
 * Build: gcc -static -Os -Wall -Wextra -o brig-init native/init.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { REC_ERROR = 1, REC_READY = 2, REC_EXITED = 3, REC_SIGNALED = 4 };

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

static int report_fd = -1;

/* Failure is ignored: if brig is gone, we are about to be killed anyway. */
static void report(int kind, int index, int err, int value)
{
	int32_t rec[4] = { kind, index, err, value };

	while (send(report_fd, rec, sizeof rec, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static void fail(int index, int err)
{
	report(REC_ERROR, index, err, 0);
	exit(255);
}

static void usage(const char *why)
{
	fprintf(stderr, "brig-init: usage: brig-init REPORT_FD EXEC_INDEX COMMAND "
		"[ARG0 ARGS...] (%s)\n", why);
	exit(255);
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	if (*s != '-' && (*s < '0' || *s > '9'))
		return -1; /* strtol would accept blanks and '+' */
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* A directory fails exec with EACCES; EISDIR gives brig a clearer message. */
static int exec_errno(const char *path, int err)
{
	struct stat st;

	if (err == EACCES && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return EISDIR;
	return err;
}

/*
 * execvp() without its /bin/sh fallback on ENOEXEC: running a non-executable
 * text file through a shell is surprising inside a sandbox.  Returns errno.
 */
static int exec_command(const char *cmd, char **argv)
{
	char buf[PATH_MAX];
	const char *path, *p, *end;
	size_t clen = strlen(cmd), dlen;
	int acces = 0, err = ENOENT;

	if (strchr(cmd, '/')) {
		execv(cmd, argv);
		return exec_errno(cmd, errno);
	}
	if (!*cmd)
		return ENOENT;
	path = getenv("PATH");
	if (!path)
		path = DEFAULT_PATH;
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		dlen = (size_t)(end - p);
		/* Like glibc: an empty entry means the cwd, too-long ones are skipped. */
		if (dlen + 1 + clen < sizeof buf) {
			memcpy(buf, p, dlen);
			if (dlen)
				buf[dlen++] = '/';
			memcpy(buf + dlen, cmd, clen + 1);
			execv(buf, argv);
			err = errno;
			switch (err) {
			case EACCES:
				if (!acces)
					acces = exec_errno(buf, err);
				break;
			case ENOENT: case ENOTDIR: case ESTALE: case ENODEV: case ETIMEDOUT:
				break;
			default:
				return err;
			}
		}
		if (!*end)
			break;
	}
	return acces ? acces : err;
}

/* The command's seccomp filter, from --seccomp=FLAGS:HEX. */
static struct sock_fprog filter;
static unsigned int filter_flags;

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	return -1;
}

static void parse_filter(const char *arg)
{
	char *end;
	unsigned long flags = strtoul(arg, &end, 10);
	size_t len, i;
	unsigned char *bytes;

	if (*end != ':')
		usage("bad --seccomp");
	arg = end + 1;
	len = strlen(arg);
	if (len == 0 || len % 16 != 0 || len / 16 > 4096)
		usage("bad --seccomp program length");
	bytes = malloc(len / 2);
	if (!bytes)
		usage("out of memory");
	for (i = 0; i < len / 2; i++) {
		int hi = hexval(arg[2 * i]), lo = hexval(arg[2 * i + 1]);
		if (hi < 0 || lo < 0)
			usage("bad --seccomp hex");
		bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	filter.len = (unsigned short)(len / 16);
	filter.filter = (struct sock_filter *)bytes;
	filter_flags = (unsigned int)flags;
}

static void child(int pipe_wr, const sigset_t *orig, const char *cmd, char **argv)
{
	struct sigaction dfl;
	int sig, err = 0;

	/* Undo anything inherited from brig or init before the command runs. */
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL); /* EINVAL for glibc-internal ones */
	if (sigprocmask(SIG_SETMASK, orig, NULL) < 0)
		err = errno;
	else if (filter.len && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, filter_flags, &filter) < 0)
		err = errno;
	else
		err = exec_command(cmd, argv);
	while (write(pipe_wr, &err, sizeof err) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* Reap everything that has exited; note the command's status when it goes. */
static void reap(pid_t cmd, int flags, int *status, int *done)
{
	pid_t r;
	int st;

	for (;;) {
		r = waitpid(-1, &st, flags);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == ECHILD && !*done) {
			/* Cannot happen (SIGCHLD is SIG_DFL); don't hang if it does. */
			*status = 255 << 8;
			*done = 1;
		}
		if (r <= 0)
			return;
		if (r == cmd) {
			*status = st;
			*done = 1;
			if (!(flags & WNOHANG))
				return;
		}
	}
}

int main(int argc, char **argv)
{
	sigset_t all, orig;
	struct sigaction dfl;
	siginfo_t si;
	int index, fl, pfd[2], err, status = 0, done = 0, sig;
	ssize_t n;
	pid_t pid;

	if (argc > 1 && strncmp(argv[1], "--seccomp=", 10) == 0) {
		parse_filter(argv[1] + 10);
		argv++;
		argc--;
	}
	if (argc < 4)
		usage("too few arguments");
	if (parse_int(argv[1], &report_fd) < 0 || report_fd < 0)
		usage("bad REPORT_FD");
	if (parse_int(argv[2], &index) < 0)
		usage("bad EXEC_INDEX");
	fl = fcntl(report_fd, F_GETFD);
	if (fl < 0 || fcntl(report_fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		usage("REPORT_FD is not open");

	/* Without a PID namespace, orphans would otherwise escape to the real init. */
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		perror("brig-init: PR_SET_CHILD_SUBREAPER");

	/* An inherited SIG_IGN for SIGCHLD would auto-reap and hide the status. */
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	if (sigaction(SIGCHLD, &dfl, NULL) < 0)
		perror("brig-init: sigaction");

	/* All signals stay blocked and are taken synchronously by sigwaitinfo. */
	sigfillset(&all);
	if (sigprocmask(SIG_SETMASK, &all, &orig) < 0)
		fail(index, errno);

	if (pipe2(pfd, O_CLOEXEC) < 0)
		fail(index, errno);
	pid = fork();
	if (pid < 0)
		fail(index, errno);
	if (pid == 0)
		child(pfd[1], &orig, argv[3], argc > 4 ? argv + 4 : argv + 3);
	close(pfd[1]);

	/* EOF: the close-on-exec pipe was closed by a successful exec. */
	do
		n = read(pfd[0], &err, sizeof err);
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != 0) {
		if (n < 0) {
			err = errno;
			kill(pid, SIGKILL);
		} else if (n != sizeof err) {
			err = EIO;
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		fail(index, err);
	}
	report(REC_READY, 0, 0, pid);

	while (!done) {
		sig = sigwaitinfo(&all, &si);
		if (sig < 0) {
			if (errno != EINTR)
				reap(pid, 0, &status, &done); /* can't wait for signals: block */
			continue;
		}
		if (sig == SIGCHLD)
			reap(pid, WNOHANG, &status, &done);
		else
			kill(pid, sig); /* ESRCH once the command is gone: ignore */
	}
	/* Collect already-exited orphans; the kernel kills the rest when PID 1 exits. */
	reap(pid, WNOHANG, &status, &done);

	if (WIFSIGNALED(status)) {
		report(REC_SIGNALED, 0, 0, WTERMSIG(status));
		return 128 + WTERMSIG(status);
	}
	report(REC_EXITED, 0, 0, WEXITSTATUS(status));
	return WEXITSTATUS(status);
}
