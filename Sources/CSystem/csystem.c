#define _GNU_SOURCE
#include "csystem.h"
#include <fcntl.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <malloc.h>
#include <time.h>
#include <errno.h>
#include <string.h>
#include <sched.h>
#include <pthread.h>

short csys_spawn_setsid_flag(void) { return POSIX_SPAWN_SETSID; }

int csys_spawn_addclosefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}

int csys_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

struct spawn_low_request {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *directory;
    int slots[3];
    int new_session;
    volatile int error;
};

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

// Runs in the child, on its own stack, in the parent's memory (CLONE_VM) while the parent waits
// (CLONE_VFORK): only async-signal-safe calls, and the result goes back in request->error.
static int spawn_low_child(void *argument) {
    struct spawn_low_request *request = argument;
    // Dispositions first, then the mask: no handler of the daemon may run in this child.
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, NULL);
    }
    int top = request->slots[0];
    for (int i = 1; i < 3; i++) if (request->slots[i] > top) top = request->slots[i];
    // A table of our own holding 0..top only: the daemon's other descriptors are never copied,
    // so never closed one by one. Until this call the table is the daemon's: nothing is closed
    // or replaced before it.
    if (syscall(SYS_close_range, (unsigned)top + 1, ~0U, CLOSE_RANGE_UNSHARE) != 0) {
        request->error = errno;
        _exit(127);
    }
    for (int fd = 0; fd < 3; fd++) {
        if (dup2(request->slots[fd], fd) < 0) {
            request->error = errno;
            _exit(127);
        }
    }
    if (top >= 3) syscall(SYS_close_range, 3U, (unsigned)top, 0U);
    if (request->directory && chdir(request->directory) != 0) {
        request->error = errno;
        _exit(127);
    }
    if (request->new_session && setsid() < 0) {
        request->error = errno;
        _exit(127);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(request->path, request->argv, request->envp);
    request->error = errno;
    _exit(127);
}

pid_t csys_spawn_low(const char *path, char *const argv[], char *const envp[], const char *directory,
                     const int slots[3], int new_session) {
    struct spawn_low_request request = {
        .path = path, .argv = argv, .envp = envp, .directory = directory,
        .slots = {slots[0], slots[1], slots[2]}, .new_session = new_session, .error = 0};
    // The child's stack is mapped once per thread and kept: the child is done with it when clone
    // returns (CLONE_VFORK), and the unmap alone of a map and unmap per spawn was a twentieth of
    // the daemon's time in a restart storm.
    static __thread void *stack;
    const size_t stack_size = 64 * 1024;
    if (stack == NULL) {
        void *mapped = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (mapped == MAP_FAILED) return -errno;
        stack = mapped;
    }
    // Every signal blocked around the clone, as glibc's and musl's posix_spawn do: the child
    // starts with them blocked and resets dispositions before it unblocks.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pid_t pid = clone(spawn_low_child, (char *)stack + stack_size,
                      CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &request);
    int clone_error = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) return -clone_error;
    if (request.error != 0) {
        // The child ended without exec: reap it here, as posix_spawn does.
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        return -request.error;
    }
    return pid;
}

int csys_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }

int csys_wexitstatus(int status) { return WEXITSTATUS(status); }
int csys_wifsignaled(int status) { return WIFSIGNALED(status); }
int csys_wtermsig(int status) { return WTERMSIG(status); }

int csys_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int csys_signalfd(const sigset_t *mask) { return signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC); }

int csys_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

static int epoll_ctl_data(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = data;
    return epoll_ctl(epfd, op, fd, &ev);
}
int csys_epoll_add(int epfd, int fd, uint32_t events, uint64_t data) {
    return epoll_ctl_data(epfd, EPOLL_CTL_ADD, fd, events, data);
}
int csys_epoll_mod(int epfd, int fd, uint32_t events, uint64_t data) {
    return epoll_ctl_data(epfd, EPOLL_CTL_MOD, fd, events, data);
}
int csys_epoll_del(int epfd, int fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL); }

int csys_epoll_wait(int epfd, uint32_t *events, uint64_t *data, int max, int timeout_ms) {
    struct epoll_event evs[64];
    if (max > 64) max = 64;
    int n = epoll_wait(epfd, evs, max, timeout_ms);
    for (int i = 0; i < n; i++) {
        events[i] = evs[i].events;
        data[i] = evs[i].data.u64;
    }
    return n;
}
uint32_t csys_epollin(void) { return EPOLLIN; }
uint32_t csys_epollout(void) { return EPOLLOUT; }
uint32_t csys_epollhup(void) { return EPOLLHUP; }
uint32_t csys_epollerr(void) { return EPOLLERR; }

int csys_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    if (n == (ssize_t)sizeof info) return (int)info.ssi_signo;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    return -1;
}

int csys_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int csys_peer_uid(int fd, uid_t *uid, pid_t *pid) {
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *uid = cred.uid;
    *pid = cred.pid;
    return 0;
}

int csys_accept4(int fd) { return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC); }


void *csys_memrchr(const void *s, int c, size_t n) { return memrchr(s, c, n); }

int csys_set_pipe_size(int fd, int bytes) { return fcntl(fd, F_SETPIPE_SZ, bytes); }

int csys_window_size(int fd, int *rows, int *columns) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return -1;
    *rows = ws.ws_row;
    *columns = ws.ws_col;
    return 0;
}

int csys_memfd_create(const char *name) { return memfd_create(name, 0); }

int csys_memfd_create_cloexec(const char *name) { return memfd_create(name, MFD_CLOEXEC); }

ssize_t csys_splice_to_file(int pipe_fd, int file_fd, int64_t *offset, size_t length) {
    loff_t off = (loff_t)*offset;
    ssize_t n = splice(pipe_fd, NULL, file_fd, &off, length, SPLICE_F_NONBLOCK);
    if (n > 0) *offset = (int64_t)off;
    return n;
}

int csys_punch_hole(int fd, int64_t offset, int64_t length) {
    return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)length);
}

size_t csys_heap_free_bytes(void) { return mallinfo2().fordblks; }

void csys_heap_trim(void) { malloc_trim(0); }

uintptr_t csys_heap_top(void) { return (uintptr_t)sbrk(0); }

void csys_store_release(int64_t *address, int64_t value) { __atomic_store_n(address, value, __ATOMIC_RELEASE); }

void *csys_map_shared(int fd, size_t length) {
    void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    return p == MAP_FAILED ? NULL : p;
}

ssize_t csys_send_fds(int sock, const int *fds, int count, const void *data, size_t length) {
    if (count < 0 || count > 64) { errno = EINVAL; return -1; }
    char control[CMSG_SPACE(sizeof(int) * 64)];
    memset(control, 0, sizeof(control));
    struct iovec iov = {.iov_base = (void *)data, .iov_len = length};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (count > 0) {
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * count);
        struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * count);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * count);
    }
    ssize_t n;
    do { n = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (n < 0 && errno == EINTR);
    return n;
}

ssize_t csys_recv_fds(int sock, int *fds, int max, int *count, void *data, size_t length) {
    char control[CMSG_SPACE(sizeof(int) * 64)];
    struct iovec iov = {.iov_base = data, .iov_len = length};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof(control)};
    *count = 0;
    ssize_t n;
    do { n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (n < 0 && errno == EINTR);
    if (n < 0) return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *in = (int *)CMSG_DATA(c);
        for (int i = 0; i < k; i++) {
            if (*count < max) fds[(*count)++] = in[i];
            else close(in[i]);
        }
    }
    return n;
}
