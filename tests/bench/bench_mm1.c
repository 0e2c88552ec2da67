/* bench_mm1: a peer comparison. Cimba runs 10^6 M/M/1 customers in 0.16 s
 * on one core; this runs the same work on railmail's engine (the model in
 * tests/mm1_model.h: two events per customer, GSL exponentials from two
 * streams) and prints the median wall time of 5 runs next to the measured
 * and theoretical mean time in system and mean wait. */
#include "../mm1_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#define RUNS 5
#define CUSTOMERS 1000000
#define LAMBDA 0.9
#define MU 1.0

/* Wall time, as Cimba's figure is: run this on an idle machine. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One run's figures. */
struct result {
    double wall_s, w, wq, l;
    uint64_t events;
};

/* Builds, runs and frees one M/M/1 replication; only the run is timed. */
static struct result run_once(uint64_t seed)
{
    struct mm1 m;
    if (!mm1_init(&m, LAMBDA, MU, CUSTOMERS, seed)) {
        fprintf(stderr, "bench_mm1: out of memory\n");
        exit(1);
    }
    double t0 = now_s();
    enum rm_status st = mm1_run(&m);
    double t1 = now_s();
    if (st != RM_OK) {
        fprintf(stderr, "bench_mm1: run failed (status %d)\n", (int)st);
        exit(1);
    }
    struct result r = {t1 - t0, mm1_mean_system(&m), mm1_mean_wait(&m), mm1_mean_number(&m), engine_events(m.e)};
    mm1_fini(&m);
    return r;
}

/* Orders results by wall time. */
static int cmp_wall(const void *a, const void *b)
{
    double x = ((const struct result *)a)->wall_s, y = ((const struct result *)b)->wall_s;
    return (x > y) - (x < y);
}

/* Prints a measured mean next to what it should be. */
static void print_vs(const char *name, double measured, const char *ref_name, double ref)
{
    printf("  %-22s %8.4f  %-8s %8.4f  diff %+6.2f%%\n", name, measured, ref_name, ref,
           100.0 * (measured - ref) / ref);
}

int main(void)
{
    gsl_set_error_handler_off();
    struct result v[RUNS];
    for (int i = 0; i < RUNS; i++)
        v[i] = run_once(20240601u + (uint64_t)i);
    qsort(v, RUNS, sizeof *v, cmp_wall);
    const struct result *med = &v[RUNS / 2];
    printf("\nM/M/1, lambda %.1f, mu %.1f (rho %.1f), %d customers, FIFO, one server;"
           " median of %d runs by wall time\n", LAMBDA, MU, LAMBDA / MU, CUSTOMERS, RUNS);
    printf("  wall %.3f s (min %.3f, max %.3f)  %.2f M customers/s  %llu events  %.2f M events/s"
           "  (Cimba: 0.16 s)\n", med->wall_s, v[0].wall_s, v[RUNS - 1].wall_s, CUSTOMERS / med->wall_s * 1e-6,
           (unsigned long long)med->events, (double)med->events / med->wall_s * 1e-6);
    print_vs("mean time in system W", med->w, "theory", 1.0 / (MU - LAMBDA));
    print_vs("mean queue wait Wq", med->wq, "theory", LAMBDA / MU / (MU - LAMBDA));
    print_vs("time-average number L", med->l, "lambda W", LAMBDA * med->w);
    return 0;
}
