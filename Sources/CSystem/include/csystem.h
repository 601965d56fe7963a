// The only C in fom: glibc symbols that Swift's Glibc module hides (macros, _GNU_SOURCE-only
// declarations, raw syscalls). One small wrapper each; everything else is Swift.
#ifndef FOM_CSYSTEM_H
#define FOM_CSYSTEM_H

#include <sys/types.h>
#include <spawn.h>
#include <signal.h>
#include <stdint.h>

// POSIX_SPAWN_SETSID is only declared with _GNU_SOURCE.
short csys_spawn_setsid_flag(void);
// posix_spawn_file_actions_addclosefrom_np is a GNU extension (glibc 2.34+).
int csys_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from);
// posix_spawn_file_actions_addchdir_np is a GNU extension (glibc 2.29+).
int csys_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);
// A spawn whose cost does not grow with the daemon's descriptors (clone with CLONE_FILES and
// close_range's CLOSE_RANGE_UNSHARE are not reachable through posix_spawn): the child shares the
// parent's table until it unshares only descriptors 0..slots[2], where the caller put stdin,
// stdout and stderr (slots[0..2], low numbers reserved early). posix_spawn copied and closed all
// 4,000 descriptors of a 1,000-instance daemon in every child. Returns the pid, or -errno.
pid_t csys_spawn_low(const char *path, char *const argv[], char *const envp[], const char *directory,
                     const int slots[3], int new_session);
// pipe2 is a GNU extension.
int csys_pipe2(int fds[2], int flags);
// The wait status macros are macros, which Swift cannot call.
int csys_wexitstatus(int status);
int csys_wifsignaled(int status);
int csys_wtermsig(int status);
// prctl is variadic.
int csys_set_child_subreaper(void);
// signalfd and epoll need _GNU_SOURCE-free headers that Glibc does not import.
int csys_signalfd(const sigset_t *mask);
int csys_epoll_create(void);
int csys_epoll_add(int epfd, int fd, uint32_t events, uint64_t data);
int csys_epoll_mod(int epfd, int fd, uint32_t events, uint64_t data);
int csys_epoll_del(int epfd, int fd);
// Fills up to max (events, data) pairs; returns the count or -1.
int csys_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max, int timeout_ms);
uint32_t csys_epollin(void);
uint32_t csys_epollout(void);
uint32_t csys_epollhup(void);
uint32_t csys_epollerr(void);
// Reads one signalfd record; returns the signal number, 0 when nothing is pending, -1 on error.
int csys_signalfd_read(int fd);
// pidfd_open has no glibc wrapper before 2.36's header is visible to Swift.
int csys_pidfd_open(pid_t pid);
// SO_PEERCRED's struct ucred needs _GNU_SOURCE.
int csys_peer_uid(int fd, uid_t *uid, pid_t *pid);
// accept4 is a GNU extension.
int csys_accept4(int fd);

// memrchr is a GNU extension (finds the last newline of a read in one pass).
void *csys_memrchr(const void *s, int c, size_t n);
// F_SETPIPE_SZ is Linux-only and needs _GNU_SOURCE.
int csys_set_pipe_size(int fd, int bytes);
// ioctl is variadic, which Swift cannot call: the terminal's size (TIOCGWINSZ); -1 when not a tty.
int csys_window_size(int fd, int *rows, int *columns);

// memfd_create needs _GNU_SOURCE; the handed state of `fom upgrade` lives in one (no MFD_CLOEXEC:
// it must survive the exec).
int csys_memfd_create(const char *name);
// A captured stream's spool: an anonymous file that is close-on-exec (no child inherits it).
int csys_memfd_create_cloexec(const char *name);
// splice(2) from a pipe into a file at *offset (advanced by what moved), without blocking on the
// pipe: what it returns was taken from the pipe and is in the file, in one step.
ssize_t csys_splice_to_file(int pipe_fd, int file_fd, int64_t *offset, size_t length);
// fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE): frees a range, offsets stay as they are.
int csys_punch_hole(int fd, int64_t offset, int64_t length);
// A shared read-write mapping of a whole file; NULL on failure (MAP_FAILED is a macro).
void *csys_map_shared(int fd, size_t length);
// A store that no earlier store may be moved after, by the compiler or the CPU: the capture
// journal's entry is armed by its last word, and a kill can fall between any two instructions.
void csys_store_release(int64_t *address, int64_t value);
// The heap's free bytes (mallinfo2's fordblks) and malloc_trim(0): malloc.h is not in Glibc's module.
size_t csys_heap_free_bytes(void);
void csys_heap_trim(void);
// The end of the main heap (sbrk(0): glibc's cached break, no system call).
uintptr_t csys_heap_top(void);
// SCM_RIGHTS: the CMSG_* helpers are macros. Sends up to 64 descriptors with a few bytes of data.
ssize_t csys_send_fds(int sock, const int *fds, int count, const void *data, size_t length);
// Receives data and up to `max` descriptors (marked close-on-exec); *count gets how many came.
ssize_t csys_recv_fds(int sock, int *fds, int max, int *count, void *data, size_t length);

#endif
