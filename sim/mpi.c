/* mpi: railmail-mpi's entry point and its replication executor (built only
 * into railmail-mpi, by `make mpi`). Under mpirun every rank runs the same
 * command on the same scenario and so makes the same decisions; only rank
 * 0 keeps results. In each round every rank simulates its share of the
 * replications (every size-th) on its -j threads; the other ranks send
 * their records (values, daily series, part files) to rank 0 by MPI
 * messages, and rank 0 sends every rank the values of the whole round, from
 * which all decide alike whether another round is needed. Ranks need not
 * share a disk, but each reads the scenario from its own: the scenario key
 * travels with every round and a rank whose inputs differ fails the job.
 *
 * A rank other than 0 writes into a scratch directory of its own (removed
 * when it ends), draws no charts and prints nothing: its stderr goes to a
 * file, whose text is sent to rank 0 when that rank ends early. */
#define _XOPEN_SOURCE 700  /* nftw */
#include "railmail/cli.h"
#include "railmail/model.h"
#include "railmail/outdir.h"
#include "railmail/run.h"
#include "railmail/stats.h"

#include <mpi.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TAG_CMD = 1, TAG_GO, TAG_DATA, TAG_RESULT, TAG_GONE };
enum { CMD_ROUND = 1, CMD_ADOPT, CMD_END };
#define CHUNK (1 << 30)  /* bytes per message: counts are ints */

/* What rank 0 tells the others: run a round, take adopted replications,
 * or end. */
struct mpi_cmd {
    uint32_t kind, a, b;          /* round: replications a..b-1; adopt: a of them */
    unsigned char key[32];        /* the scenario key of the run */
};

static int mpi_rank, mpi_size;
static bool *mpi_gone;            /* rank 0: ranks that have said they ended */
static int mpi_stderr = -1;       /* another rank's own stderr, for a fault it dies of */
static FILE *mpi_log;             /* another rank's stderr, kept */
static char mpi_scratch[4096];    /* another rank's results directory, thrown away */

/* A rank waiting for the next message sleeps rather than spins as Open
 * MPI's blocking calls do, so it takes no core from the threads of a rank
 * on the same node; the sleep grows from 50 us to 2 ms, nothing beside a
 * replication. The transfer itself then runs in blocking calls, at full
 * speed: a rank sends its records only once rank 0 says it is receiving. */
static void mpi_await(int from, int tag, MPI_Status *st)
{
    int found = 0;
    for (long ns = 50000; MPI_Iprobe(from, tag, MPI_COMM_WORLD, &found, st), !found;) {
        struct timespec t = { 0, ns };
        nanosleep(&t, NULL);
        if (ns < 2000000)
            ns *= 2;
    }
}

static void mpi_send(const void *data, int count, MPI_Datatype type, int to, int tag)
{
    MPI_Send(data, count, type, to, tag, MPI_COMM_WORLD);
}

static void mpi_recv(void *data, int count, MPI_Datatype type, int from, int tag)
{
    MPI_Recv(data, count, type, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

static void mpi_send_bytes(const void *data, size_t n, int to, int tag)
{
    const char *p = data;
    do {
        int k = n > CHUNK ? CHUNK : (int)n;
        mpi_send(p, k, MPI_BYTE, to, tag);
        p += k;
        n -= (size_t)k;
    } while (n > 0);
}

static void mpi_recv_bytes(void *data, size_t n, int from, int tag)
{
    char *p = data;
    do {
        int k = n > CHUNK ? CHUNK : (int)n;
        mpi_recv(p, k, MPI_BYTE, from, tag);
        p += k;
        n -= (size_t)k;
    } while (n > 0);
}

static struct mpi_cmd mpi_cmd_of(const struct run *r, uint32_t kind, uint32_t a, uint32_t b)
{
    struct mpi_cmd c = { kind, a, b, { 0 } };
    const unsigned char *key = run_key(r);
    if (key)
        memcpy(c.key, key, sizeof c.key);
    return c;
}

static int mpi_remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* Removes another rank's scratch results and their temporary sibling. */
static void mpi_tidy(void)
{
    outdir_interrupt();
    if (mpi_scratch[0])
        nftw(mpi_scratch, mpi_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Test-only fault injection: RAILMAIL_MPI_FAULT=RANK:REP[:fail] makes rank
 * RANK die (exit status 3) when a round holds replication REP, or with
 * :fail report that replication as failed. Returns REP for :fail, else 0. */
static unsigned mpi_fault(unsigned from, unsigned to)
{
    const char *env = getenv("RAILMAIL_MPI_FAULT");
    int rank;
    unsigned rep;
    char how[8] = "";
    if (!env || sscanf(env, "%d:%u:%7s", &rank, &rep, how) < 2 || rank != mpi_rank || rep < from + 1 || rep > to)
        return 0;
    if (!strcmp(how, "fail"))
        return rep;
    dprintf(mpi_stderr >= 0 ? mpi_stderr : 2, "railmail-mpi: rank %d: fault injected at replication %u\n", mpi_rank,
            rep);
    mpi_tidy();  /* a real death leaves its scratch behind; the tests' should not */
    _exit(3);
}

/* This rank's share of the round, or the fault injected. */
static enum rm_status mpi_local(struct run *r, unsigned from, unsigned to, unsigned *failed, struct diag *d)
{
    unsigned fault = mpi_fault(from, to);
    *failed = fault ? fault - 1 : UINT_MAX;
    if (fault)
        return diag_fail(d, RM_ERUN, "fault injected at replication %u", fault);
    return run_local(r, (unsigned)mpi_rank, (unsigned)mpi_size, failed, d);
}

/* ---- rank 0 ---- */

/* A rank's failure: the one of the lowest replication is reported, so the
 * message does not depend on which rank was faster. */
struct mpi_failure {
    unsigned rep;
    enum rm_status st;
    char *text;
};

static void mpi_note(struct mpi_failure *f, unsigned rep, enum rm_status st, int rank, const char *text)
{
    if (f->text && rep >= f->rep)
        return;
    free(f->text);
    size_t len = strlen(text) + 32;
    f->text = malloc(len);
    if (f->text)
        snprintf(f->text, len, "rank %d: %s", rank, text);
    f->rep = rep;
    f->st = st;
}

/* A rank's GONE message: it ended (its exit status and stderr). */
static void mpi_take_gone(int w, struct mpi_failure *f)
{
    uint64_t h[2];
    mpi_recv(h, 2, MPI_UINT64_T, w, TAG_GONE);
    char *text = calloc(h[1] + 1, 1);
    mpi_recv_bytes(text ? text : (char[1]){ 0 }, text ? h[1] : 0, w, TAG_GONE);
    mpi_gone[w] = true;
    if (f) {
        size_t n = text ? strlen(text) : 0;
        while (n > 0 && text[n - 1] == '\n')
            text[--n] = '\0';
        mpi_note(f, UINT_MAX, RM_ERUN, w, n ? text : "ended before the round");
    }
    free(text);
}

/* Takes rank w's report of the round: its status, its transit times and
 * its records, which become rank 0's as if simulated here. */
static void mpi_collect(struct run *r, int w, struct mpi_failure *f)
{
    MPI_Status ms;
    char go = 1;
    mpi_send(&go, 1, MPI_BYTE, w, TAG_GO);  /* dropped by a rank that has gone */
    mpi_await(w, MPI_ANY_TAG, &ms);
    if (ms.MPI_TAG == TAG_GONE) {
        mpi_take_gone(w, f);
        return;
    }
    uint64_t h[3];  /* status, first replication failed, length of its message */
    mpi_recv(h, 3, MPI_UINT64_T, w, TAG_DATA);
    char *text = malloc(h[2] + 1);
    mpi_recv_bytes(text ? text : (char[1]){ 0 }, text ? h[2] : 0, w, TAG_DATA);
    if (text)
        text[h[2]] = '\0';
    if (h[0] != RM_OK) {
        mpi_note(f, (unsigned)h[1], (enum rm_status)h[0], w, text ? text : "failed");
        free(text);
        return;
    }
    free(text);
    uint64_t transit[STATS_HIST_BINS], *pool = run_transit(r);
    mpi_recv(transit, STATS_HIST_BINS, MPI_UINT64_T, w, TAG_DATA);
    for (size_t b = 0; b < STATS_HIST_BINS; b++)
        pool[b] += transit[b];
    for (;;) {
        uint64_t rec[2];  /* replication (UINT64_MAX: no more), length */
        mpi_recv(rec, 2, MPI_UINT64_T, w, TAG_DATA);
        if (rec[0] == UINT64_MAX)
            break;
        char *data = malloc(rec[1] + 1);
        mpi_recv_bytes(data ? data : (char[1]){ 0 }, data ? rec[1] : 0, w, TAG_DATA);
        struct diag *dd = diag_create();
        enum rm_status st = !data || !dd ? RM_ENOMEM : run_import(r, (unsigned)rec[0], data, rec[1], dd);
        if (st != RM_OK)
            mpi_note(f, (unsigned)rec[0], st, 0, dd && diag_count(dd) ? diag_message(dd, 0) : "out of memory");
        diag_destroy(dd);
        free(data);
    }
}

static enum rm_status mpi_root_round(struct run *r, struct diag *d)
{
    unsigned from, to;
    run_span(r, &from, &to);
    struct mpi_cmd c = mpi_cmd_of(r, CMD_ROUND, from, to);
    for (int w = 1; w < mpi_size; w++)
        if (!mpi_gone[w])
            mpi_send(&c, sizeof c, MPI_BYTE, w, TAG_CMD);
    struct mpi_failure f = { UINT_MAX, RM_OK, NULL };
    struct diag *mine = diag_create();
    unsigned failed = UINT_MAX;
    enum rm_status st = mine ? mpi_local(r, from, to, &failed, mine) : RM_ENOMEM;
    if (st != RM_OK)
        mpi_note(&f, failed, st, 0, mine && diag_count(mine) ? diag_message(mine, 0) : "out of memory");
    diag_destroy(mine);
    for (int w = 1; w < mpi_size; w++) {
        if (mpi_gone[w])
            mpi_note(&f, UINT_MAX, RM_ERUN, w, "ended before the round");
        else
            mpi_collect(r, w, &f);
    }
    uint64_t verdict = f.text || f.st != RM_OK ? (uint64_t)(f.st != RM_OK ? f.st : RM_ERUN) : RM_OK;
    size_t rows = model_rows(run_model(r));
    for (int w = 1; w < mpi_size; w++) {
        if (mpi_gone[w])
            continue;
        mpi_send(&verdict, 1, MPI_UINT64_T, w, TAG_RESULT);
        if (verdict == RM_OK)
            mpi_send_bytes(run_row(r, from), (size_t)(to - from) * rows * sizeof(double), w, TAG_RESULT);
    }
    if (verdict == RM_OK)
        return RM_OK;
    enum rm_status out = diag_fail(d, (enum rm_status)verdict, "%s", f.text ? f.text : "a rank failed");
    free(f.text);
    return out;
}

static unsigned mpi_root_adopt(struct run *r, const char *dir, unsigned most)
{
    unsigned n = run_adopt_here(r, dir, most);
    struct mpi_cmd c = mpi_cmd_of(r, CMD_ADOPT, n, 0);
    size_t rows = model_rows(run_model(r));
    for (int w = 1; w < mpi_size; w++) {
        if (mpi_gone[w])
            continue;
        mpi_send(&c, sizeof c, MPI_BYTE, w, TAG_CMD);
        if (n)
            mpi_send_bytes(run_row(r, 0), (size_t)n * rows * sizeof(double), w, TAG_RESULT);
    }
    return n;
}

/* Tells every other rank to end and waits for each to say it has. */
static void mpi_root_end(void)
{
    struct mpi_cmd c = { CMD_END, 0, 0, { 0 } };
    for (int w = 1; w < mpi_size; w++)
        mpi_send(&c, sizeof c, MPI_BYTE, w, TAG_CMD);
    for (int w = 1; w < mpi_size; w++)
        if (!mpi_gone[w]) {
            MPI_Status ms;
            mpi_await(w, TAG_GONE, &ms);
            mpi_take_gone(w, NULL);
        }
}

/* ---- the other ranks ---- */

/* Says it ended (with what it printed), waits for rank 0's END, removes
 * its scratch directory and leaves. The job's status is rank 0's. */
static _Noreturn void mpi_leave(int rc, bool told)
{
    fflush(stderr);
    char *text = NULL;
    long len = 0;
    if (mpi_log && fseek(mpi_log, 0, SEEK_END) == 0 && (len = ftell(mpi_log)) > 0 && (text = malloc((size_t)len))) {
        rewind(mpi_log);
        len = (long)fread(text, 1, (size_t)len, mpi_log);
    }
    uint64_t h[2] = { (uint64_t)rc, text ? (uint64_t)len : 0 };
    mpi_send(h, 2, MPI_UINT64_T, 0, TAG_GONE);
    mpi_send_bytes(text ? text : "", (size_t)h[1], 0, TAG_GONE);
    free(text);
    while (!told) {  /* what rank 0 sent meanwhile is dropped, up to its END */
        MPI_Status ms;
        int count;
        mpi_await(0, MPI_ANY_TAG, &ms);
        MPI_Get_count(&ms, MPI_BYTE, &count);
        char *skip = malloc((size_t)count + 1);
        mpi_recv(skip ? skip : (char[1]){ 0 }, skip ? count : 0, MPI_BYTE, 0, ms.MPI_TAG);
        struct mpi_cmd c = { 0 };
        if (skip && ms.MPI_TAG == TAG_CMD && count == (int)sizeof c)
            memcpy(&c, skip, sizeof c);
        free(skip);
        told = c.kind == CMD_END;
    }
    mpi_tidy();
    MPI_Finalize();
    _exit(0);
}

/* The next command from rank 0; END leaves at once. */
static struct mpi_cmd mpi_next_cmd(void)
{
    struct mpi_cmd c;
    MPI_Status ms;
    mpi_await(0, TAG_CMD, &ms);
    mpi_recv(&c, sizeof c, MPI_BYTE, 0, TAG_CMD);
    if (c.kind == CMD_END)
        mpi_leave(0, true);
    return c;
}

/* A rank that lost step with rank 0 cannot take part any more. */
static _Noreturn void mpi_out_of_step(void)
{
    dprintf(mpi_stderr, "railmail-mpi: rank %d is out of step with rank 0\n", mpi_rank);
    MPI_Abort(MPI_COMM_WORLD, 1);
    _exit(1);
}

/* Waits until rank 0 receives this rank's report, then sends its head. */
static void mpi_send_status(uint64_t st, unsigned failed, const char *text)
{
    MPI_Status ms;
    char go;
    mpi_await(0, TAG_GO, &ms);
    mpi_recv(&go, 1, MPI_BYTE, 0, TAG_GO);
    uint64_t h[3] = { st, failed, strlen(text) };
    mpi_send(h, 3, MPI_UINT64_T, 0, TAG_DATA);
    mpi_send_bytes(text, strlen(text), 0, TAG_DATA);
}

/* Runs this rank's share and sends it to rank 0, one record at a time. */
static void mpi_send_share(struct run *r, unsigned from, unsigned to)
{
    struct diag *d = diag_create();
    unsigned failed = UINT_MAX;
    enum rm_status st = d ? mpi_local(r, from, to, &failed, d) : RM_ENOMEM;
    if (st != RM_OK) {
        mpi_send_status(st, failed, d && diag_count(d) ? diag_message(d, 0) : "out of memory");
        diag_destroy(d);
        return;
    }
    mpi_send_status(RM_OK, UINT_MAX, "");
    uint64_t *pool = run_transit(r);
    mpi_send(pool, STATS_HIST_BINS, MPI_UINT64_T, 0, TAG_DATA);
    memset(pool, 0, STATS_HIST_BINS * sizeof *pool);  /* sent: rank 0 pools them */
    for (unsigned i = from + (unsigned)mpi_rank; i < to; i += (unsigned)mpi_size) {
        char *data;
        size_t len;
        if (run_export(r, i, &data, &len, d) != RM_OK)  /* rank 0 sees it cut short */
            data = NULL, len = 0;
        uint64_t rec[2] = { i, len };
        mpi_send(rec, 2, MPI_UINT64_T, 0, TAG_DATA);
        mpi_send_bytes(data ? data : "", len, 0, TAG_DATA);
        free(data);
    }
    uint64_t end[2] = { UINT64_MAX, 0 };
    mpi_send(end, 2, MPI_UINT64_T, 0, TAG_DATA);
    diag_destroy(d);
}

static enum rm_status mpi_worker_round(struct run *r, struct diag *d)
{
    unsigned from, to;
    run_span(r, &from, &to);
    struct mpi_cmd c = mpi_next_cmd(), want = mpi_cmd_of(r, CMD_ROUND, from, to);
    if (c.kind != CMD_ROUND || c.a != from || c.b != to)
        mpi_out_of_step();
    if (memcmp(c.key, want.key, sizeof c.key)) {
        mpi_send_status(RM_EINPUT, from,
                        "the scenario read on this node differs from rank 0's: every node needs the same input files");
    } else {
        mpi_send_share(r, from, to);
    }
    uint64_t verdict;
    MPI_Status ms;
    mpi_await(0, TAG_RESULT, &ms);
    mpi_recv(&verdict, 1, MPI_UINT64_T, 0, TAG_RESULT);
    if (verdict != RM_OK)
        return diag_fail(d, (enum rm_status)verdict, "the round failed (rank 0 reports why)");
    mpi_recv_bytes(run_row(r, from), (size_t)(to - from) * model_rows(run_model(r)) * sizeof(double), 0, TAG_RESULT);
    return RM_OK;
}

static unsigned mpi_worker_adopt(struct run *r, const char *dir, unsigned most)
{
    (void)dir, (void)most;
    struct mpi_cmd c = mpi_next_cmd();
    if (c.kind != CMD_ADOPT)
        mpi_out_of_step();
    if (c.a == 0)
        return 0;
    if (!run_set_adopted(r, c.a))
        mpi_out_of_step();
    mpi_recv_bytes(run_row(r, 0), (size_t)c.a * model_rows(run_model(r)) * sizeof(double), 0, TAG_RESULT);
    return c.a;
}

static bool mpi_root_aggregates(void)
{
    return true;
}

static bool mpi_worker_aggregates(void)
{
    return false;
}

static unsigned mpi_ranks(void)
{
    return (unsigned)mpi_size;
}

static const struct run_executor mpi_root = { mpi_root_round, mpi_root_adopt, mpi_root_aggregates, mpi_ranks };
static const struct run_executor mpi_worker = { mpi_worker_round, mpi_worker_adopt, mpi_worker_aggregates,
                                                mpi_ranks };

/* True when started by mpirun or srun (their environment says so). */
static bool mpi_launched(void)
{
    static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE" };
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return true;
    return false;
}

/* Another rank's command: the same, into its scratch results directory,
 * quiet and without charts (options before a "--", so they stay options).
 * The scratch is named by rank and process, so that jobs sharing a node
 * never share one (nor reuse each other's replications); what killed
 * ranks left in TMPDIR is swept first. */
static char **mpi_worker_argv(int argc, char **argv, int *out_argc)
{
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    outdir_sweep(tmp, "railmail-mpi-rank");
    snprintf(mpi_scratch, sizeof mpi_scratch, "%s/railmail-mpi-rank%d-%ld", tmp, mpi_rank, (long)getpid());
    char **v = calloc((size_t)argc + 6, sizeof *v);
    if (!v)
        return NULL;
    int n = 0, i = 0;
    for (; i < argc && strcmp(argv[i], "--"); i++)
        v[n++] = argv[i];
    v[n++] = "--no-plot";
    v[n++] = "-q";
    v[n++] = "-o";
    v[n++] = mpi_scratch;
    for (; i < argc; i++)
        v[n++] = argv[i];
    *out_argc = n;
    return v;
}

/* Rank 0 runs the command; for run, compare and sweep the other ranks run
 * it too and take their share of every round. */
static int mpi_main(int argc, char **argv)
{
    bool spread = argc > 1 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "compare") || !strcmp(argv[1], "sweep"));
    if (mpi_rank == 0) {
        if (!(mpi_gone = calloc((size_t)mpi_size, sizeof *mpi_gone))) {
            fputs("railmail-mpi: out of memory\n", stderr);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        run_use_executor(&mpi_root);
        int rc = cli_main(argc, argv);
        fflush(stdout);
        fflush(stderr);
        mpi_root_end();
        free(mpi_gone);
        return rc;
    }
    mpi_stderr = dup(2);
    mpi_log = tmpfile();
    FILE *null = fopen("/dev/null", "w");
    int wargc;
    char **wargv = spread && mpi_log && null && mpi_stderr >= 0 ? mpi_worker_argv(argc, argv, &wargc) : NULL;
    if (!wargv) {  /* not needed, or cannot take part: say so and wait for the end */
        if (spread && mpi_log)
            fprintf(mpi_log, "railmail-mpi: rank %d cannot take part: %s\n", mpi_rank, strerror(errno));
        mpi_leave(spread ? 1 : 0, false);
    }
    dup2(fileno(null), 1);
    dup2(fileno(mpi_log), 2);
    run_use_executor(&mpi_worker);
    int rc = cli_main(wargc, wargv);
    mpi_leave(rc, false);
}

int main(int argc, char **argv)
{
    if (!mpi_launched())
        return cli_main(argc, argv);
    int provided;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fputs("railmail-mpi: MPI_Init failed\n", stderr);
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &mpi_size);
    int rc = mpi_main(argc, argv);
    MPI_Finalize();
    return rc;
}
