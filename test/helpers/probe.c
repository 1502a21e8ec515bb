/*
 * A static multi-tool for roots built from nothing (chroot tests): no libc files needed.
 *   probe id            -> "uid=U gid=G"
 *   probe ls DIR        -> one entry a line
 *   probe write FILE    -> creates FILE, prints "ok" or the error
 *   probe cat FILE      -> the file's contents
 *   probe cwd           -> the working directory
 *   probe exit N        -> exits with N
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  const char *cmd = argv[1], *arg = argc > 2 ? argv[2] : ".";
  if (!strcmp(cmd, "id")) {
    printf("uid=%d gid=%d\n", (int)getuid(), (int)getgid());
  } else if (!strcmp(cmd, "ls")) {
    DIR *d = opendir(arg);
    if (!d) return printf("error: %s\n", strerror(errno)), 1;
    struct dirent *e;
    while ((e = readdir(d)))
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) printf("%s\n", e->d_name);
    closedir(d);
  } else if (!strcmp(cmd, "write")) {
    int fd = open(arg, O_CREAT | O_WRONLY, 0644);
    if (fd < 0) return printf("error: %s\n", strerror(errno)), 1;
    close(fd);
    printf("ok\n");
  } else if (!strcmp(cmd, "cat")) {
    FILE *f = fopen(arg, "r");
    if (!f) return printf("error: %s\n", strerror(errno)), 1;
    int c;
    while ((c = fgetc(f)) != EOF) putchar(c);
    fclose(f);
  } else if (!strcmp(cmd, "cwd")) {
    char buf[4096];
    printf("%s\n", getcwd(buf, sizeof buf) ? buf : strerror(errno));
  } else if (!strcmp(cmd, "exit")) {
    return atoi(arg);
  } else {
    return 2;
  }
  return 0;
}
