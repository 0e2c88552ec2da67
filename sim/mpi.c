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
 * Independent settings (run_each_setting: a sweep's grid, optimise's
 * wider search) are spread whole instead: each rank runs its settings on
 * its own threads and sends rank 0 their folders and figures.
 *
 * A rank other than 0 writes into a scratch directory of its own (removed
 * when it ends), draws no charts and prints nothing: its stderr goes to a
 * file, whose text is sent to rank 0 when that rank ends early. */
#include "railmail/cli.h"
#include "railmail/model.h"
#include "railmail/outdir.h"
#include "railmail/run.h"
#include "railmail/stats.h"
#include "railmail/strbuf.h"

#include <mpi.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { TAG_CMD = 1, TAG_GO, TAG_DATA, TAG_RESULT, TAG_GONE, TAG_SETTING };
enum { CMD_ROUND = 1, CMD_ADOPT, CMD_END, CMD_SETTINGS };
#define CHUNK (1 << 30)  /* bytes per message: counts are ints */
#define PIECE (8 << 20)  /* bytes of a file read or written at a time */

/* What rank 0 tells the others: run a round, take adopted replications,
 * or end. */
struct mpi_cmd {
    uint32_t kind, a, b;          /* round: replications a..b-1; adopt: a of them; settings: a of them, b: reuse */
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

/* Removes another rank's scratch results and their temporary sibling. */
static void mpi_tidy(void)
{
    outdir_interrupt();
    if (mpi_scratch[0])
        outdir_remove_tree(mpi_scratch);
}

/* Test-only fault injection: RAILMAIL_MPI_FAULT=RANK:N[:fail] makes rank
 * RANK die (exit status 3) when a round holds replication N (or, where
 * settings are shared out, at setting N), or with :fail report it as
 * failed. Returns N for :fail, else 0. `what` names it. */
static unsigned mpi_fault(unsigned from, unsigned to, const char *what)
{
    const char *env = getenv("RAILMAIL_MPI_FAULT");
    int rank;
    unsigned rep;
    char how[8] = "";
    if (!env || sscanf(env, "%d:%u:%7s", &rank, &rep, how) < 2 || rank != mpi_rank || rep < from + 1 || rep > to)
        return 0;
    if (!strcmp(how, "fail"))
        return rep;
    dprintf(mpi_stderr >= 0 ? mpi_stderr : 2, "railmail-mpi: rank %d: fault injected at %s %u\n", mpi_rank, what,
            rep);
    mpi_tidy();  /* a real death leaves its scratch behind; the tests' should not */
    _exit(3);
}

/* This rank's share of the round, or the fault injected. */
static enum rm_status mpi_local(struct run *r, unsigned from, unsigned to, unsigned *failed, struct diag *d)
{
    unsigned fault = mpi_fault(from, to, "replication");
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
    dprintf(mpi_stderr >= 0 ? mpi_stderr : 2, "railmail-mpi: rank %d is out of step with rank 0\n", mpi_rank);
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

static const struct run_executor mpi_root, mpi_worker;

/* ---- settings: whole points on each rank ---- */

/* A folder of a setting (flat: it holds files only) travels as messages:
 * the count of its files, then each file's name and length and its bytes
 * in pieces, so no file need fit in memory; last, whether all could be
 * read. A missing folder is one of no files. */
static void mpi_send_folder(const char *dir, int to)
{
    struct dirent **e = NULL;
    int n = dir ? scandir(dir, &e, NULL, alphasort) : -1;
    uint64_t count = 0, ok = 1;
    for (int k = 0; k < n; k++)
        count += strcmp(e[k]->d_name, ".") && strcmp(e[k]->d_name, "..");
    mpi_send(&count, 1, MPI_UINT64_T, to, TAG_DATA);
    char *buf = count ? malloc(PIECE) : NULL;
    ok = !count || buf;
    for (int k = 0; k < n; k++) {
        const char *name = e[k]->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        int fd = open(path, O_RDONLY | O_NOFOLLOW);
        struct stat sb;
        bool file = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
        uint64_t h[2] = { strlen(name), file ? (uint64_t)sb.st_size : 0 };
        ok &= file;
        mpi_send(h, 2, MPI_UINT64_T, to, TAG_DATA);
        mpi_send(name, (int)h[0], MPI_CHAR, to, TAG_DATA);
        for (uint64_t at = 0; at < h[1]; at += PIECE) {
            size_t want = h[1] - at < PIECE ? (size_t)(h[1] - at) : PIECE;
            ssize_t got = buf ? pread(fd, buf, want, (off_t)at) : -1;
            if (got != (ssize_t)want) {  /* the length was promised: zeros, and a failure at the end */
                ok = 0;
                if (buf)
                    memset(buf, 0, want);
            }
            mpi_send(buf ? buf : "", buf ? (int)want : 0, MPI_BYTE, to, TAG_DATA);
        }
        if (fd >= 0)
            close(fd);
    }
    mpi_send(&ok, 1, MPI_UINT64_T, to, TAG_DATA);
    free(buf);
    for (int k = 0; k < n; k++)
        free(e[k]);
    free(e);
}

/* A file's name as it arrived: one name in the folder, nothing above. */
static bool mpi_plain_name(const char *name)
{
    return name[0] && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

/* Receives a folder's files into `dir` (which exists; NULL: drop them,
 * as when it could not be made); every message is taken even after an
 * error, so that the sender is never left blocked. *files gets how many
 * came; false when one could not be written or the sender failed to read. */
static bool mpi_recv_folder(const char *dir, int from, uint64_t *files)
{
    uint64_t count, ok;
    mpi_recv(&count, 1, MPI_UINT64_T, from, TAG_DATA);
    char *buf = count ? malloc(PIECE) : NULL;
    bool good = !count || buf;
    for (uint64_t k = 0; k < count; k++) {
        uint64_t h[2];
        char name[NAME_MAX + 1] = "";
        mpi_recv(h, 2, MPI_UINT64_T, from, TAG_DATA);
        if (h[0] > NAME_MAX)
            mpi_out_of_step();
        mpi_recv(name, (int)h[0], MPI_CHAR, from, TAG_DATA);
        char path[4400];
        snprintf(path, sizeof path, "%s/%s", dir ? dir : "", name);
        int fd = dir && mpi_plain_name(name) ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0666) : -1;
        good &= fd >= 0;
        for (uint64_t at = 0; at < h[1]; at += PIECE) {
            size_t want = h[1] - at < PIECE ? (size_t)(h[1] - at) : PIECE;
            mpi_recv(buf ? buf : (char[1]){ 0 }, buf ? (int)want : 0, MPI_BYTE, from, TAG_DATA);
            good &= fd >= 0 && buf && pwrite(fd, buf, want, (off_t)at) == (ssize_t)want;
        }
        if (fd >= 0 && close(fd) != 0)
            good = false;
    }
    mpi_recv(&ok, 1, MPI_UINT64_T, from, TAG_DATA);
    free(buf);
    *files = count;
    return good && ok;
}

static void mpi_setting_path(const struct run_settings *s, size_t i, const char *dir, const char *prefix,
                             char *path, size_t len)
{
    char name[256];
    s->name(s->ctx, i, name, sizeof name);
    snprintf(path, len, "%s/%s%s", dir, prefix, name);
}

/* Rank 0's own setting i, on its threads (or the fault injected). */
static enum rm_status mpi_setting_mine(const struct run_settings *s, size_t i, const char *dir,
                                       const char *reuse_dir, struct diag *d)
{
    if (mpi_fault((unsigned)i, (unsigned)i + 1, "setting"))
        return diag_fail(d, RM_ERUN, "rank 0: fault injected at setting %zu", i + 1);
    char old[4400];
    if (reuse_dir)
        mpi_setting_path(s, i, reuse_dir, "", old, sizeof old);
    return run_setting_here(s, i, dir, reuse_dir ? old : NULL, d);
}

/* The rest of setting i from rank w: what it keeps, then its folder. */
static enum rm_status mpi_setting_files(const struct run_settings *s, size_t i, int w, const char *dir,
                                        struct diag *d)
{
    uint64_t len, files;
    mpi_recv(&len, 1, MPI_UINT64_T, w, TAG_DATA);
    char *data = malloc(len + 1);
    mpi_recv_bytes(data ? data : (char[1]){ 0 }, data ? len : 0, w, TAG_DATA);
    char sub[4400];
    mpi_setting_path(s, i, dir, "", sub, sizeof sub);
    int made = mkdir(sub, 0777);
    int err = errno;
    bool ok = mpi_recv_folder(made == 0 ? sub : NULL, w, &files);
    enum rm_status st;
    if (made != 0)
        st = diag_fail(d, RM_EIO, "cannot create %s: %s", sub, strerror(err));
    else if (!ok)
        st = diag_fail(d, RM_EIO, "rank %d: its files of %s could not be sent or written", w, sub);
    else if (!data)
        st = diag_fail(d, RM_ENOMEM, "out of memory");
    else {
        struct diag *mine = diag_create();
        st = mine ? s->load(s->ctx, i, data, len, mine) : RM_ENOMEM;
        if (st != RM_OK)
            diag_fail(d, st, "rank %d: %s", w, mine && diag_count(mine) ? diag_message(mine, 0) : "out of memory");
        diag_destroy(mine);
    }
    free(data);
    return st;
}

/* Rank 0 takes setting i from rank w: its warnings join rank 0's in
 * setting order, its folder is written as if run here, and what it keeps
 * in memory is loaded. A failure is reported as rank w's. */
static enum rm_status mpi_setting_take(const struct run_settings *s, size_t i, int w, const char *dir,
                                       struct diag *d)
{
    if (mpi_gone[w])
        return diag_fail(d, RM_ERUN, "rank %d: ended before its settings", w);
    uint64_t at = i;
    mpi_send(&at, 1, MPI_UINT64_T, w, TAG_SETTING);
    MPI_Status ms;
    mpi_await(w, MPI_ANY_TAG, &ms);
    if (ms.MPI_TAG == TAG_GONE) {
        struct mpi_failure f = { UINT_MAX, RM_OK, NULL };
        mpi_take_gone(w, &f);
        enum rm_status st = diag_fail(d, RM_ERUN, "%s", f.text ? f.text : "a rank ended");
        free(f.text);
        return st;
    }
    uint64_t h[4];  /* setting, status, warnings, length of its message */
    mpi_recv(h, 4, MPI_UINT64_T, w, TAG_DATA);
    if (h[0] != i)
        mpi_out_of_step();
    char *text = NULL;
    for (uint64_t k = 0; k <= h[2]; k++) {  /* the warnings, then the message */
        uint64_t len = k < h[2] ? 0 : h[3];
        if (k < h[2])
            mpi_recv(&len, 1, MPI_UINT64_T, w, TAG_DATA);
        free(text);
        text = calloc(len + 1, 1);
        mpi_recv_bytes(text ? text : (char[1]){ 0 }, text ? len : 0, w, TAG_DATA);
        if (k < h[2])
            diag_warn(d, NULL, "%s", text ? text : "");
    }
    if (h[1] != RM_OK) {
        enum rm_status st = diag_fail(d, (enum rm_status)h[1], "rank %d: %s", w, text ? text : "failed");
        free(text);
        return st;
    }
    free(text);
    return mpi_setting_files(s, i, w, dir, d);
}

/* After every setting has run: each rank gets every setting's state (a
 * status first: rank 0 may fail to save one, and the others then fail
 * alike), so that all go on deciding as one process would. */
static enum rm_status mpi_root_share(const struct run_settings *s, struct diag *d)
{
    enum rm_status st = RM_OK;
    for (size_t i = 0; i < s->n; i++) {
        char *state = NULL;
        size_t len = 0;
        if (st == RM_OK)
            st = s->save(s->ctx, i, &state, &len, d);
        uint64_t h[2] = { (uint64_t)st, st == RM_OK ? len : 0 };
        for (int w = 1; w < mpi_size; w++) {
            if (mpi_gone[w])
                continue;
            mpi_send(h, 2, MPI_UINT64_T, w, TAG_DATA);
            mpi_send_bytes(state ? state : "", (size_t)h[1], w, TAG_DATA);
        }
        free(state);
    }
    return st;
}

/* Another rank's side of mpi_root_share. */
static enum rm_status mpi_worker_share(const struct run_settings *s, struct diag *d)
{
    enum rm_status st = RM_OK;
    for (size_t i = 0; i < s->n; i++) {
        uint64_t h[2];
        MPI_Status ms;
        mpi_await(0, MPI_ANY_TAG, &ms);
        if (ms.MPI_TAG == TAG_CMD) {  /* rank 0 failed before sharing: its END ends here */
            mpi_next_cmd();
            mpi_out_of_step();
        }
        mpi_recv(h, 2, MPI_UINT64_T, 0, TAG_DATA);
        char *state = malloc(h[1] + 1);
        mpi_recv_bytes(state ? state : (char[1]){ 0 }, state ? (size_t)h[1] : 0, 0, TAG_DATA);
        if (h[0] != RM_OK || !state) {
            if (st == RM_OK)
                st = diag_fail(d, h[0] != RM_OK ? (enum rm_status)h[0] : RM_ENOMEM, "rank 0 could not share setting "
                               "%zu", i + 1);
        } else if (st == RM_OK) {
            st = s->load(s->ctx, i, state, (size_t)h[1], d);
        }
        free(state);
    }
    return st;
}

/* Rank 0: every rank runs whole settings, rank r those i with i % ranks
 * == r (a static share: no rank waits to be given work), each on its own
 * threads; rank 0 takes them in setting order, its own as it runs them
 * and the others' as they arrive, so that what it writes and keeps is what
 * one process would. First the other ranks get the earlier results of
 * their settings, which only rank 0's disk has. */
static enum rm_status mpi_root_settings(const struct run_settings *s, const char *dir, const char *reuse_dir,
                                        struct diag *d)
{
    struct mpi_cmd c = { CMD_SETTINGS, (uint32_t)s->n, reuse_dir != NULL, { 0 } };
    for (int w = 1; w < mpi_size; w++)
        if (!mpi_gone[w])
            mpi_send(&c, sizeof c, MPI_BYTE, w, TAG_CMD);
    for (int w = 1; reuse_dir && w < mpi_size; w++)
        for (size_t i = (size_t)w; !mpi_gone[w] && i < s->n; i += (size_t)mpi_size) {
            char old[4400];
            mpi_setting_path(s, i, reuse_dir, "", old, sizeof old);
            mpi_send_bytes(old, sizeof old, w, TAG_DATA);  /* what its warnings should say */
            mpi_send_folder(old, w);
        }
    run_use_executor(NULL);  /* a setting's replications stay on its rank */
    enum rm_status st = RM_OK;
    for (size_t i = 0; st == RM_OK && i < s->n; i++) {
        int w = (int)(i % (size_t)mpi_size);
        st = w == 0 ? mpi_setting_mine(s, i, dir, reuse_dir, d) : mpi_setting_take(s, i, w, dir, d);
    }
    run_use_executor(&mpi_root);
    if (st == RM_OK && s->everywhere)
        st = mpi_root_share(s, d);
    return st;
}

/* Waits until rank 0 asks for setting i; its END (it failed) ends here. */
static void mpi_await_setting(size_t i)
{
    MPI_Status ms;
    uint64_t at;
    mpi_await(0, MPI_ANY_TAG, &ms);
    if (ms.MPI_TAG == TAG_CMD) {
        mpi_next_cmd();  /* leaves on END */
        mpi_out_of_step();
    }
    if (ms.MPI_TAG != TAG_SETTING)
        mpi_out_of_step();
    mpi_recv(&at, 1, MPI_UINT64_T, 0, TAG_SETTING);
    if (at != i)
        mpi_out_of_step();
}

/* Where the earlier results of this rank's k-th setting are: here (a copy
 * in dir/.reuse-NAME), and on rank 0's disk, which its warnings name. */
struct mpi_reuse {
    bool here;
    char there[4400];
};

/* Receives the earlier results of this rank's settings. */
static void mpi_worker_reuse(const struct run_settings *s, const char *dir, struct mpi_reuse *reuse)
{
    for (size_t i = (size_t)mpi_rank, k = 0; i < s->n; i += (size_t)mpi_size, k++) {
        char old[4400];
        uint64_t files;
        mpi_recv_bytes(reuse[k].there, sizeof reuse[k].there, 0, TAG_DATA);
        reuse[k].there[sizeof reuse[k].there - 1] = '\0';
        mpi_setting_path(s, i, dir, ".reuse-", old, sizeof old);
        bool made = mkdir(old, 0777) == 0;
        reuse[k].here = mpi_recv_folder(made ? old : NULL, 0, &files) && files > 0;
        if (made && !reuse[k].here)
            outdir_remove_tree(old);
    }
}

/* `text` with the path `from` (when not NULL) put as `to`. */
static void mpi_put_path(struct strbuf *b, const char *text, const char *from, const char *to)
{
    for (const char *at; from && (at = strstr(text, from)); text = at + strlen(from)) {
        strbuf_put(b, text, (size_t)(at - text));
        strbuf_put(b, to, strlen(to));
    }
    strbuf_put(b, text, strlen(text));
}

/* Sends setting i when rank 0 asks: its warnings (naming rank 0's copy of
 * earlier results, `there`, where they name this rank's, `here`), its
 * status and message, and when it ran, what it keeps and its folder `sub`. */
static void mpi_send_setting(const struct run_settings *s, size_t i, const char *sub, enum rm_status st,
                             struct diag *mine, const char *here, const char *there)
{
    char *state = NULL;
    size_t len = 0;
    if (st == RM_OK)
        st = s->save(s->ctx, i, &state, &len, mine);
    const char *text = st == RM_OK ? "" : diag_count(mine) ? diag_message(mine, 0) : "failed";
    mpi_await_setting(i);
    uint64_t h[4] = { i, (uint64_t)st, diag_warning_count(mine), strlen(text) };
    mpi_send(h, 4, MPI_UINT64_T, 0, TAG_DATA);
    for (size_t k = 0; k < h[2]; k++) {
        struct strbuf b = { 0 };
        mpi_put_path(&b, diag_warning(mine, k), here, there);
        const char *warning = b.oom ? diag_warning(mine, k) : strbuf_str(&b);
        uint64_t n = strlen(warning);
        mpi_send(&n, 1, MPI_UINT64_T, 0, TAG_DATA);
        mpi_send_bytes(warning, n, 0, TAG_DATA);
        strbuf_fini(&b);
    }
    mpi_send_bytes(text, h[3], 0, TAG_DATA);
    if (st == RM_OK) {
        uint64_t n = len;
        mpi_send(&n, 1, MPI_UINT64_T, 0, TAG_DATA);
        mpi_send_bytes(state, len, 0, TAG_DATA);
        mpi_send_folder(sub, 0);
    }
    free(state);
}

/* Another rank: runs its share of the settings in order into its scratch
 * directory, sends each to rank 0 and removes it there; after a failure
 * (sent too) it runs no more, as one process would stop. */
static enum rm_status mpi_worker_settings(const struct run_settings *s, const char *dir, const char *reuse_dir,
                                          struct diag *d)
{
    (void)reuse_dir;  /* this rank's own scratch: rank 0 sends what it has */
    struct mpi_cmd c = mpi_next_cmd();
    if (c.kind != CMD_SETTINGS || c.a != s->n)
        mpi_out_of_step();
    struct mpi_reuse *reuse = calloc(s->n / (size_t)mpi_size + 1, sizeof *reuse);
    if (!reuse)
        mpi_out_of_step();
    if (c.b)
        mpi_worker_reuse(s, dir, reuse);
    run_use_executor(NULL);
    enum rm_status st = RM_OK;
    for (size_t i = (size_t)mpi_rank, k = 0; st == RM_OK && i < s->n; i += (size_t)mpi_size, k++) {
        char sub[4400], old[4400];
        mpi_setting_path(s, i, dir, "", sub, sizeof sub);
        mpi_setting_path(s, i, dir, ".reuse-", old, sizeof old);
        struct diag *mine = diag_create();
        if (!mine)
            mpi_out_of_step();
        if (mpi_fault((unsigned)i, (unsigned)i + 1, "setting"))
            st = diag_fail(mine, RM_ERUN, "fault injected at setting %zu", i + 1);
        else
            st = run_setting_here(s, i, dir, reuse[k].here ? old : NULL, mine);
        mpi_send_setting(s, i, sub, st, mine, reuse[k].here ? old : NULL, reuse[k].there);
        if (st != RM_OK)
            diag_fail(d, st, "%s", diag_count(mine) ? diag_message(mine, 0) : "failed");
        diag_destroy(mine);
        outdir_remove_tree(sub);
        if (reuse[k].here)
            outdir_remove_tree(old);
    }
    free(reuse);
    run_use_executor(&mpi_worker);
    if (st == RM_OK && s->everywhere)
        st = mpi_worker_share(s, d);
    return st;
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

static const struct run_executor mpi_root = { mpi_root_round, mpi_root_adopt, mpi_root_aggregates, mpi_ranks,
                                              mpi_root_settings };
static const struct run_executor mpi_worker = { mpi_worker_round, mpi_worker_adopt, mpi_worker_aggregates,
                                                mpi_ranks, mpi_worker_settings };

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

/* Rank 0 runs the command; for run, compare, sweep and optimise the other ranks run
 * it too and take their share of every round. */
static int mpi_main(int argc, char **argv)
{
    bool spread = argc > 1 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "compare") || !strcmp(argv[1], "sweep")
                               || !strcmp(argv[1], "optimise") || !strcmp(argv[1], "optimize"));
    if (mpi_rank == 0) {
        if (!(mpi_gone = calloc((size_t)mpi_size, sizeof *mpi_gone))) {
            fputs("railmail-mpi: out of memory\n", stderr);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        run_use_executor(spread ? &mpi_root : NULL);  /* the others do not take part: this rank's threads */
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
