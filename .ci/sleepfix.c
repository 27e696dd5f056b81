/* Loaded before libfaketime in .ci/run's shifted-clock runs.

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
