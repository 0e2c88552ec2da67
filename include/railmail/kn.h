#ifndef RAILMAIL_KN_H
#define RAILMAIL_KN_H
/* Kim and Nelson's fully sequential procedure (KN, 2001) for selecting the
 * best of k systems: the one with the least mean (or the greatest), with
 * probability at least 1 - alpha when it is better than every other by at
 * least delta, the indifference zone. Systems are paired by replication
 * (common random numbers), which KN allows: what it needs is the variance
 * of each pair's differences over the first n0 replications.
 *
 * After the first stage of n0 replications each, system i is eliminated at
 * r replications when some survivor l beats its mean by more than
 *     W_il(r) = max(0, delta / (2r) * (h^2 S_il^2 / delta^2 - r)),
 *     h^2 = 2 eta (n0 - 1),  eta = ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1) / 2,
 * and the survivors get more replications until one is left. W_il closes
 * at r = h^2 S_il^2 / delta^2, so the procedure ends by the largest of
 * those. Checking at fewer stages than every replication (kn_next grows r
 * by half) only makes the best harder to eliminate. */
#include <stdbool.h>
#include <stddef.h>

#include "railmail/diag.h"

struct kn {
    size_t k;
    unsigned n0;          /* the first stage's replications, >= 2 */
    unsigned r;           /* replications the survivors have now */
    double delta, h2;
    bool maximise;
    double *s2;           /* [k * k]: variance of x_i - x_l over the first n0 */
    bool *alive;          /* [k] */
    unsigned *out_at;     /* [k]: replications when eliminated; 0 while alive */
    size_t n_alive;
};

/* Sets up the procedure from the first n0 values of each system (x[i][0..n0-1],
 * replication-paired) and screens them; RM_ENOMEM. delta > 0, 0 < alpha < 1,
 * k >= 1, n0 >= 2. */
enum rm_status kn_init(struct kn *kn, size_t k, unsigned n0, const double *const *x, double delta, double alpha,
                       bool maximise);
void kn_fini(struct kn *kn);
/* Screens the survivors once each has r >= kn->r values. */
void kn_screen(struct kn *kn, const double *const *x, unsigned r);
/* Whether one survivor is left (or none can be told apart any longer). */
bool kn_done(const struct kn *kn);
/* The replications to give the survivors next: half as many again, but
 * no further than where every continuation region has closed. */
unsigned kn_next(const struct kn *kn);
/* The replications at which every continuation region of the survivors
 * has closed; the procedure needs no more than this. */
unsigned kn_last(const struct kn *kn);
/* The survivor with the best mean over its first r values. */
size_t kn_best(const struct kn *kn, const double *const *x);
#endif /* RAILMAIL_KN_H */
