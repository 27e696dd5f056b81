/* Loaded before libfaketime in .ci/run's shifted-clock runs: mends two of its faults
   with the monotonic clock, which it need not touch (FAKETIME_DONT_FAKE_MONOTONIC=1).

   libfaketime 0.9.10 moves the absolute deadline of clock_nanosleep() on
   CLOCK_MONOTONIC by its offset even with FAKETIME_DONT_FAKE_MONOTONIC=1, so
   the deadline lands years away and Python's time.sleep() fails with EINVAL.
   The monotonic clock has no date: its sleeps go straight to the kernel. Every
   other clock is left to libfaketime. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem) {
    static int (*next)(clockid_t, int, const struct timespec *, struct timespec *);
    if (clock == CLOCK_MONOTONIC)
        return syscall(SYS_clock_nanosleep, clock, flags, req, rem) == -1 ? errno : 0;
    if (!next)
        next = dlsym(RTLD_NEXT, "clock_nanosleep");
    return next(clock, flags, req, rem);
}

/* libfaketime 0.9.10 also wraps condition variables: it records each one's clock in a
   table behind one rwlock, which a thread waiting on a condition holds (Python's
   threads wait on the GIL's every 5 ms). A process forked meanwhile inherits the lock
   taken; its copy of Python makes a new GIL (pthread_cond_init) and waits for ever. A
   condition on CLOCK_MONOTONIC (all of Python's) has nothing to fake: it goes straight
   to glibc, and only the others to libfaketime. glibc keeps a condition's clock in
   bit 1 of __wrefs (nptl's __PTHREAD_COND_CLOCK_MONOTONIC_MASK). */
#include <pthread.h>

#define MONOTONIC_MASK 2

static void *from_glibc(const char *name) {
    void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
    return libc ? dlvsym(libc, name, "GLIBC_2.3.2") : NULL;
}

static int is_monotonic(const pthread_cond_t *cond) {
    return (cond->__data.__wrefs & MONOTONIC_MASK) != 0;
}

int pthread_cond_init(pthread_cond_t *cond, const pthread_condattr_t *attr) {
    static int (*glibc)(pthread_cond_t *, const pthread_condattr_t *), (*next)(pthread_cond_t *, const pthread_condattr_t *);
    clockid_t clock = CLOCK_REALTIME;
    if (attr)
        pthread_condattr_getclock(attr, &clock);
    if (clock == CLOCK_MONOTONIC) {
        if (!glibc)
            glibc = from_glibc("pthread_cond_init");
        return glibc(cond, attr);
    }
    if (!next)
        next = dlvsym(RTLD_NEXT, "pthread_cond_init", "GLIBC_2.3.2");
    return next(cond, attr);
}

int pthread_cond_destroy(pthread_cond_t *cond) {
    static int (*glibc)(pthread_cond_t *), (*next)(pthread_cond_t *);
    if (is_monotonic(cond)) {
        if (!glibc)
            glibc = from_glibc("pthread_cond_destroy");
        return glibc(cond);
    }
    if (!next)
        next = dlvsym(RTLD_NEXT, "pthread_cond_destroy", "GLIBC_2.3.2");
    return next(cond);
}

int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex, const struct timespec *abstime) {
    static int (*glibc)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *),
        (*next)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
    if (is_monotonic(cond)) {
        if (!glibc)
            glibc = from_glibc("pthread_cond_timedwait");
        return glibc(cond, mutex, abstime);
    }
    if (!next)
        next = dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2");
    return next(cond, mutex, abstime);
}
