/* kn: Kim and Nelson's selection of the best, on normal systems whose
 * means are known: it must pick the best at least as often as it promises
 * when the best leads by the indifference zone, spend no replications
 * when the systems are far apart, and gain from common random numbers. */
#include <criterion/criterion.h>

#include <math.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "railmail/kn.h"

#define SYSTEMS 5
#define MOST 4000

struct trial {
    size_t chosen;
    unsigned replications;  /* the survivors' at the end */
};

/* Fills x[i][0..MOST) with mean[i] + sd * (rho * common + sqrt(1 - rho^2) * own). */
static void draw(gsl_rng *g, double **x, const double *mean, double sd, double rho)
{
    for (unsigned j = 0; j < MOST; j++) {
        double common = gsl_ran_ugaussian(g);
        for (size_t i = 0; i < SYSTEMS; i++)
            x[i][j] = mean[i] + sd * (rho * common + sqrt(1 - rho * rho) * gsl_ran_ugaussian(g));
    }
}

static struct trial select_best(double **x, bool maximise, unsigned n0)
{
    struct kn kn;
    cr_assert_eq(kn_init(&kn, SYSTEMS, n0, (const double *const *)x, 1.0, 0.05, maximise), RM_OK);
    while (!kn_done(&kn))
        kn_screen(&kn, (const double *const *)x, kn_next(&kn));
    cr_assert_leq(kn.r, MOST);
    struct trial t = { kn_best(&kn, (const double *const *)x), kn.r };
    kn_fini(&kn);
    return t;
}

/* Runs `trials` selections; gives the share choosing `best` and the mean
 * replications they ended at. */
static double share_correct(const double *mean, size_t best, double sd, double rho, bool maximise, int trials,
                            double *replications)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(g, 20261207);
    double *x[SYSTEMS];
    for (size_t i = 0; i < SYSTEMS; i++)
        x[i] = malloc(MOST * sizeof *x[i]);
    int correct = 0;
    double reps = 0;
    for (int t = 0; t < trials; t++) {
        draw(g, x, mean, sd, rho);
        struct trial r = select_best(x, maximise, 10);
        correct += r.chosen == best;
        reps += r.replications;
    }
    for (size_t i = 0; i < SYSTEMS; i++)
        free(x[i]);
    gsl_rng_free(g);
    *replications = reps / trials;
    return (double)correct / trials;
}

Test(kn, picks_the_best_at_least_as_often_as_promised_in_the_slippage_configuration)
{
    /* the least favourable case: every other system exactly delta behind */
    double mean[SYSTEMS] = { 1, 1, 0, 1, 1 }, reps;
    double pcs = share_correct(mean, 2, 2.0, 0, false, 400, &reps);
    /* promised 0.95; three standard errors of 400 trials below it is 0.917 */
    cr_assert_geq(pcs, 0.917, "correct selection %.3f over 400 trials", pcs);
    cr_assert_gt(reps, 10, "it had to add replications (%.1f)", reps);
}

Test(kn, maximises_as_well)
{
    double mean[SYSTEMS] = { 0, 0, 0, 0, 1 }, reps;
    double pcs = share_correct(mean, 4, 2.0, 0, true, 200, &reps);
    cr_assert_geq(pcs, 0.9, "correct selection %.3f", pcs);
}

Test(kn, systems_far_apart_need_no_more_replications)
{
    double mean[SYSTEMS] = { 10, 20, 0, 30, 40 }, reps;
    double pcs = share_correct(mean, 2, 1.0, 0, false, 50, &reps);
    cr_assert_eq(pcs, 1.0);
    cr_assert_eq(reps, 10, "ended at %.1f replications, not the first stage's 10", reps);
}

Test(kn, common_random_numbers_save_replications)
{
    double mean[SYSTEMS] = { 1, 1, 0, 1, 1 }, apart, paired;
    double pcs_apart = share_correct(mean, 2, 2.0, 0, false, 200, &apart);
    double pcs_paired = share_correct(mean, 2, 2.0, 0.9, false, 200, &paired);
    cr_assert_geq(pcs_paired, 0.9, "correct selection %.3f with common random numbers", pcs_paired);
    cr_assert_geq(pcs_apart, 0.9);
    cr_assert_lt(paired, apart / 3, "%.1f replications paired against %.1f independent", paired, apart);
}

Test(kn, ends_by_the_last_stage_where_every_region_has_closed)
{
    /* two systems with equal means cannot be told apart: the procedure
     * still ends, at h^2 S^2 / delta^2 + 1 at the latest */
    double a[MOST], b[MOST];
    for (unsigned j = 0; j < MOST; j++)
        a[j] = (j % 2 ? 1 : -1), b[j] = (j % 3 ? 0.5 : -1);
    const double *x[2] = { a, b };
    struct kn kn;
    cr_assert_eq(kn_init(&kn, 2, 10, x, 0.1, 0.05, false), RM_OK);
    unsigned last = kn_last(&kn);
    while (!kn_done(&kn))
        kn_screen(&kn, x, kn_next(&kn));
    cr_assert_leq(kn.r, last);
    cr_assert_eq(kn.n_alive, 1);
    kn_fini(&kn);
}
