/* Parallel for-loop; see pfor.h. */
#include "base/pfor.h"

#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <unistd.h>

#define PFOR_MAX_THREADS 8

struct pfor_job {
    size_t n;
    atomic_size_t next;
    void (*fn)(size_t i, void *ctx);
    void *ctx;
};

/* Each thread takes the next index until none is left: uneven items balance out. */
static void *worker(void *arg)
{
    struct pfor_job *job = arg;
    for (size_t i; (i = atomic_fetch_add(&job->next, 1)) < job->n;)
        job->fn(i, job->ctx);
    return NULL;
}

unsigned pfor_threads(size_t n, unsigned jobs)
{
    if (!jobs) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cpus < 1 ? 1 : cpus > PFOR_MAX_THREADS ? PFOR_MAX_THREADS : (unsigned)cpus;
    }
    return n < jobs ? (n ? (unsigned)n : 1) : jobs;
}

void pfor(size_t n, unsigned jobs, void (*fn)(size_t i, void *ctx), void *ctx)
{
    struct pfor_job job = {.n = n, .fn = fn, .ctx = ctx};
    atomic_init(&job.next, 0);
    unsigned extra = pfor_threads(n, jobs) - 1, started = 0;
    pthread_t *tid = extra ? xcalloc(extra, sizeof(*tid)) : NULL;
    for (; started < extra; started++)
        if (pthread_create(&tid[started], NULL, worker, &job))
            break; /* fewer threads only means slower */
    worker(&job);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(tid);
}
