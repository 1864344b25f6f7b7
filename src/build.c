/*
 * Build pipeline and the output folder: compile every workflow into an output set,
 * then write it atomically under a manifest (see build.h).
 */
#include "build.h"

#include "asl/validate.h"
#include "base/fsutil.h"
#include "base/pfor.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/iam.h"
#include "emit/jout.h"
#include "emit/scheduler.h"
#include "emit/sfn.h"
#include "emit/terraform.h"
#include "expand.h"
#include "ext.h"
#include "interp/interp.h"
#include "wrap.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool listed(char **sorted, size_t n, const char *path)
{
    return bsearch(&path, sorted, n, sizeof(*sorted), cmp_str) != NULL;
}

/* ---- manifest
 * --------------------------------------------------------------------------- */

static const char manifest_header[] =
    "# Files written by `wfgen build`; it removes those it no longer generates.\n";

static char *manifest_text(const struct outset *set, size_t *len)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_adds(&sb, manifest_header);
    for (size_t i = 0; i < set->nr; i++)
        strbuf_addf(&sb, "%s\n", set->v[i].path);
    return strbuf_detach(&sb, len);
}

/* A manifest line is trusted only when it names a plain relative path. */
static bool safe_relative(const char *p)
{
    return *p && p[0] != '/' && strncmp(p, "../", 3) && !strstr(p, "/../") &&
           strcmp(p, "..") && strcmp(p, BUILD_MANIFEST);
}

/*
 * Returns the previous manifest's paths, sorted, as a NULL-terminated array of *n
 * pointers into *text (caller frees both).
 */
static char **manifest_read(const char *outdir, char **text, size_t *n)
{
    char *path = fs_join(outdir, BUILD_MANIFEST);
    size_t len;
    char **v = xcalloc(1, sizeof(*v));
    *text = NULL;
    *n = 0;
    if (fs_read_file(path, text, &len) == 0) {
        char *save = NULL;
        for (char *line = strtok_r(*text, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
            if (line[0] == '#' || !safe_relative(line))
                continue;
            v = xrealloc(v, (*n + 2) * sizeof(*v));
            v[(*n)++] = line;
            v[*n] = NULL;
        }
    }
    free(path);
    qsort(v, *n, sizeof(*v), cmp_str);
    return v;
}

/* ---- compile ------------------------------------------------------------------------
 */

/*
 * The task-role policy of ECS callback steps (states:SendTask*), for the user to attach
 * to the task role; written only for workflows that have such a step.
 */
static void emit_callback_policy(const struct workflow *wf, const json_t *asl,
                                 struct outset *out)
{
    json_t *policy = ext_ecs_callback_policy_new(asl);
    if (!policy)
        return;
    outset_add_json(out, policy, "iam/%s.callback.policy.json", wf->key);
    json_decref(policy);
}

static struct iam_ctx iam_context(const struct catalog *cat, const struct workflow *wf)
{
    return (struct iam_ctx){
        .partition = cat->partition,
        .region = cat->region,
        .account_id = cat->account_id,
        .state_machine_name = wf->names.state_machine,
        .ecs_cluster = wf->ecs.cluster,
        .ecs_task_role = wf->ecs.task_role,
        .ecs_execution_role = wf->ecs.execution_role,
        .log_group_name = strcmp(wf->logging.level, "OFF") ? wf->names.log_group : NULL,
        .tracing = wf->tracing,
        .iam_extra = wf->iam_extra,
    };
}

/*
 * Loads one definition and turns it into the machine `build` emits: substitution,
 * extensions, validation, operational wrapping. On -1 the document is still loaded
 * (compile_workflow releases it); on -2 (unreadable file, errno set) nothing is.
 */
static int load_compiled(const struct catalog *cat, const struct workflow *wf,
                         const struct build_opts *opts, struct ydoc *def,
                         struct diag_list *dl)
{
    int rc = yload_file(def, wf->definition_path, dl);
    if (rc == -2)
        return -2;
    if (rc) {
        memset(def, 0, sizeof(*def));
        return -1;
    }
    struct asl_opts aopts = {.allow_placeholders = opts->allow_placeholders};
    if (expand_substitutions(cat, wf, def, dl) || expand_extensions(cat, wf, def, dl))
        rc = -1;
    if (!rc && asl_validate(def, def->root, &aopts, dl))
        rc = -1;
    if (!rc && wrap_operational(cat, wf, def, dl))
        rc = -1;
    return rc;
}

static void print_unreadable(const struct workflow *wf, int err)
{
    fprintf(stderr, "wfgen: cannot read '%s': %s\n", wf->definition_path, strerror(err));
}

int build_load_definition(const struct catalog *cat, const struct workflow *wf,
                          struct ydoc *doc, struct diag_list *dl)
{
    const struct build_opts opts = {0};
    int rc = load_compiled(cat, wf, &opts, doc, dl);
    if (rc == -2)
        print_unreadable(wf, errno);
    if (rc == -1)
        ydoc_release(doc);
    return rc;
}

json_t *build_scheduled_input(json_t *input, int64_t start_ms, bool replace)
{
    if (!json_is_object(input) || (!replace && json_object_get(input, "scheduled_time")))
        return json_incref(input);
    char when[32];
    interp_format_time(start_ms, when);
    strcpy(when + 19, "Z"); /* the scheduler's form has no milliseconds */
    json_t *copy = json_copy(input);
    json_object_set_new(copy, "scheduled_time", json_string(when));
    return copy;
}

/* Loads, checks and expands one definition; adds its outputs when `out` is set. */
static int compile_workflow(const struct catalog *cat, const struct workflow *wf,
                            const struct build_opts *opts, struct outset *out,
                            struct diag_list *dl)
{
    struct ydoc def;
    int rc = load_compiled(cat, wf, opts, &def, dl);
    if (rc == -2)
        return -2;
    if (!rc) {
        struct iam_ctx ictx = iam_context(cat, wf);
        json_t *policy = iam_policy_new(&ictx, &def, def.root, dl);
        if (!policy)
            rc = -1;
        if (policy && out) {
            emit_sfn(wf, def.root, out);
            outset_add_json(out, policy, "iam/%s.policy.json", wf->key);
            emit_callback_policy(wf, def.root, out);
            emit_schedule(cat, wf, out);
        }
        json_decref(policy);
    }
    ydoc_release(&def);
    return rc;
}

/* One workflow's compile, made by any thread; merged in catalog order. */
struct wf_result {
    int rc, err; /* compile_workflow's return; errno of a -2 */
    struct outset out;
    struct diag_list dl;
};

/* Something (even a dangling link, which a rename would replace) is at path. */
static bool path_taken(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/*
 * Where a build into a missing output folder writes, to rename it into place at the
 * end: one rename makes the whole tree appear at once, and no file needs its own.
 */
static char *fresh_root(const char *outdir)
{
    size_t n = strlen(outdir);
    while (n > 1 && outdir[n - 1] == '/')
        n--;
    return xasprintf("%.*s.wfgen-new-%ld", (int)n, outdir, (long)getpid());
}

/* The previous manifest's paths, sorted, for staging files while compiling. */
struct early {
    const char *outdir;
    bool outdir_existed;
    char *fresh; /* the fresh_root when the output folder did not exist, else NULL */
    char **old, *oldtext;
    size_t nold;
    atomic_bool failed; /* a workflow failed: staging more is wasted */
};

struct compile_job {
    const struct catalog *cat;
    const struct build_opts *opts;
    bool emit;
    struct wf_result *res;
    struct early *early; /* NULL: keep the data */
};

/* See build.h; a file whose temporary cannot be written keeps its data. */
static void stage_early(struct early *e, struct outset *out)
{
    for (size_t i = 0; i < out->nr; i++) {
        struct outfile *f = &out->v[i];
        if (e->fresh) {
            char *dest = fs_join(e->fresh, f->path);
            if (!fs_write_new(dest, f->data, f->len)) {
                free(f->data);
                f->data = NULL;
            }
            free(dest);
            continue;
        }
        char *dest = fs_join(e->outdir, f->path);
        bool same =
            listed(e->old, e->nold, f->path) && fs_same_content(dest, f->data, f->len);
        if (same || !fs_write_temp(dest, f->data, f->len, &f->staged)) {
            free(f->data);
            f->data = NULL;
        }
        free(dest);
    }
}

/*
 * Removes the temporaries of staged files and the folders staging made (empty ones;
 * build treats empty folders in the output folder as its own, as when it removes
 * obsolete files), so a failed build leaves the output folder as it found it.
 */
static void unstage(const struct early *e, struct outset *out)
{
    if (e->fresh) {
        fs_remove_tree(e->fresh);
        return;
    }
    for (size_t i = 0; i < out->nr; i++) {
        if (!out->v[i].staged)
            continue;
        unlink(out->v[i].staged);
        fs_prune_empty_dirs(out->v[i].staged, e->outdir);
    }
    if (!e->outdir_existed)
        rmdir(e->outdir);
}

static void compile_one(size_t i, void *ctx)
{
    struct compile_job *job = ctx;
    struct wf_result *r = &job->res[i];
    r->rc = compile_workflow(job->cat, &job->cat->wf[i], job->opts,
                             job->emit ? &r->out : NULL, &r->dl);
    r->err = errno;
    if (job->early && r->rc)
        atomic_store(&job->early->failed, true);
    if (job->early && !r->rc && !atomic_load(&job->early->failed))
        stage_early(job->early, &r->out);
}

/*
 * Workflows compile in parallel, each into its own result; merging them in catalog
 * order gives the bytes and diagnostics of a one-by-one compile, which stops at the
 * first unreadable definition.
 */
int build_compile(const struct catalog *cat, const struct build_opts *opts,
                  struct outset *out, struct diag_list *dl)
{
    struct wf_result *res = xcalloc(cat->nwf + 1, sizeof(*res));
    struct early early = {.outdir = opts->stage_dir};
    early.outdir_existed = opts->stage_dir && path_taken(opts->stage_dir);
    if (opts->stage_dir && !early.outdir_existed)
        early.fresh = fresh_root(opts->stage_dir);
    struct compile_job job = {cat, opts, out != NULL, res, NULL};
    if (out && opts->stage_dir) {
        early.old = manifest_read(opts->stage_dir, &early.oldtext, &early.nold);
        job.early = &early;
    }
    pfor(cat->nwf, opts->jobs, compile_one, &job);
    int rc = 0;
    for (size_t i = 0; i < cat->nwf; i++) {
        struct wf_result *r = &res[i];
        if (rc != -2) {
            diag_move(dl, &r->dl);
            if (out)
                outset_move(out, &r->out);
            if (r->rc == -2)
                print_unreadable(&cat->wf[i], r->err);
            if (r->rc && rc != -2)
                rc = r->rc;
        }
        if (job.early && r->out.nr)
            unstage(&early, &r->out); /* a result not merged, after a -2 */
        diag_release(&r->dl);
        outset_release(&r->out);
    }
    free(res);
    if (out && rc == 0) {
        outset_sort(out); /* tf_emit looks files up */
        if (tf_emit(cat, out, dl))
            rc = -1;
        outset_sort(out);
    }
    if (job.early && rc)
        unstage(&early, out);
    free(early.old);
    free(early.oldtext);
    free(early.fresh);
    return rc;
}

/* ---- write
 * ------------------------------------------------------------------------------ */

/* One file of the set on its way into the output folder. */
struct pending {
    const char *rel, *data;
    size_t len;
    bool may_exist;   /* the previous manifest lists it, so it may hold these bytes */
    char *dest, *tmp; /* tmp: NULL when the file already holds the bytes */
    int err;          /* errno of a failed write or rename */
    bool same;        /* build_check: the file holds the bytes */
};

/* The set's files, then the manifest, each with its destination under outdir. */
static struct pending *pending_new(const char *outdir, const struct outset *set,
                                   const char *mtext, size_t mlen, char **old,
                                   size_t nold)
{
    struct pending *p = xcalloc(set->nr + 1, sizeof(*p));
    for (size_t i = 0; i <= set->nr; i++) {
        bool manifest = i == set->nr;
        p[i].rel = manifest ? BUILD_MANIFEST : set->v[i].path;
        p[i].data = manifest ? mtext : set->v[i].data;
        p[i].len = manifest ? mlen : set->v[i].len;
        p[i].may_exist = manifest || !old || listed(old, nold, p[i].rel);
        p[i].dest = fs_join(outdir, p[i].rel);
    }
    return p;
}

static void compare_one(size_t i, void *ctx)
{
    struct pending *p = (struct pending *)ctx + i;
    p->same = fs_same_content(p->dest, p->data, p->len);
}

static void stage_one(size_t i, void *ctx)
{
    struct pending *p = (struct pending *)ctx + i;
    if (!p->data)
        return; /* staged while compiling */
    if (p->may_exist && fs_same_content(p->dest, p->data, p->len))
        return;
    if (fs_write_temp(p->dest, p->data, p->len, &p->tmp))
        p->err = errno;
}

static void publish_one(size_t i, void *ctx)
{
    struct pending *p = (struct pending *)ctx + i;
    if (p->tmp && rename(p->tmp, p->dest)) {
        p->err = errno;
        unlink(p->tmp);
    }
}

/* Prints the first failure, in set order; returns -1 if there was one. */
static int first_failure(const struct pending *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i].err) {
            fprintf(stderr, "wfgen: cannot write '%s': %s\n", p[i].dest,
                    strerror(p[i].err));
            return -1;
        }
    }
    return 0;
}

static void pending_free(struct pending *p, size_t n, bool unlink_tmp)
{
    for (size_t i = 0; i < n; i++) {
        if (unlink_tmp && p[i].tmp)
            unlink(p[i].tmp);
        free(p[i].tmp);
        free(p[i].dest);
    }
    free(p);
}

/* Removes the files of the previous manifest that the set no longer has. */
static void remove_obsolete(const char *outdir, const struct outset *set, char **old,
                            size_t nold)
{
    for (size_t i = 0; i < nold; i++) {
        if (outset_find(set, old[i]))
            continue;
        char *gone = fs_join(outdir, old[i]);
        if (unlink(gone) == 0)
            fs_prune_empty_dirs(gone, outdir);
        free(gone);
    }
}

/*
 * Every file (the manifest last) is first written to a temporary beside it, on several
 * threads; only when all were written do renames put them in place. Only files the
 * previous manifest lists can already hold the right bytes; others are written without
 * looking. Probing a missing name first makes creating it several times slower on
 * ext4, which dominated cold builds of large catalogs.
 */
static int write_in_place(const char *outdir, struct outset *set)
{
    size_t mlen, nold, n = set->nr + 1;
    char *mtext = manifest_text(set, &mlen), *oldtext;
    char **old = manifest_read(outdir, &oldtext, &nold);
    struct pending *p = pending_new(outdir, set, mtext, mlen, old, nold);
    for (size_t i = 0; i < set->nr; i++) { /* temporaries staged while compiling */
        p[i].tmp = set->v[i].staged;
        set->v[i].staged = NULL;
    }

    pfor(n, 0, stage_one, p);
    int rc = first_failure(p, n);
    if (!rc) {
        remove_obsolete(outdir, set, old, nold);
        pfor(n, 0, publish_one, p);
        rc = first_failure(p, n);
    }
    pending_free(p, n, rc != 0);
    free(mtext);
    free(old);
    free(oldtext);
    return rc;
}

static void create_one(size_t i, void *ctx)
{
    struct pending *p = (struct pending *)ctx + i;
    if (p->data && fs_write_new(p->dest, p->data, p->len))
        p->err = errno;
}

/*
 * The output folder does not exist: every file goes into the fresh root (those staged
 * while compiling are there already), which one rename then turns into the output
 * folder.
 */
static int write_fresh(const char *outdir, const char *root, const struct outset *set)
{
    size_t mlen, n = set->nr + 1;
    char *mtext = manifest_text(set, &mlen);
    struct pending *p = pending_new(root, set, mtext, mlen, NULL, 0);
    pfor(n, 0, create_one, p);
    int rc = first_failure(p, n);
    if (!rc && rename(root, outdir)) {
        fprintf(stderr, "wfgen: cannot write '%s': %s\n", outdir, strerror(errno));
        rc = -1;
    }
    if (rc)
        fs_remove_tree(root);
    pending_free(p, n, false);
    free(mtext);
    return rc;
}

int build_write(const char *outdir, struct outset *set)
{
    char *root = fresh_root(outdir);
    int rc;
    if (fs_exists(root)) { /* build_compile staged into it */
        rc = write_fresh(outdir, root, set);
    } else if (path_taken(outdir)) {
        rc = write_in_place(outdir, set);
    } else {
        bool staged = false; /* ...into an output folder that has gone since */
        for (size_t i = 0; i < set->nr; i++)
            staged |= !set->v[i].data;
        if (staged)
            fprintf(stderr, "wfgen: cannot write '%s': it was removed during the build\n",
                    outdir);
        rc = staged ? -1 : write_fresh(outdir, root, set);
    }
    free(root);
    return rc;
}

/* Lists the files of the previous manifest that the set no longer has. */
static size_t report_obsolete(const char *outdir, const struct outset *set, FILE *report)
{
    size_t n = 0;
    char *oldtext;
    size_t nold;
    char **old = manifest_read(outdir, &oldtext, &nold);
    for (size_t i = 0; i < nold; i++) {
        char *gone = fs_join(outdir, old[i]);
        if (!outset_find(set, old[i]) && fs_exists(gone)) {
            fprintf(report, "obsolete: %s\n", gone);
            n++;
        }
        free(gone);
    }
    free(old);
    free(oldtext);
    return n;
}

static size_t report_differing(const struct pending *p, FILE *report)
{
    if (p->same)
        return 0;
    fprintf(report, "%s: %s\n", fs_exists(p->dest) ? "stale" : "missing", p->dest);
    return 1;
}

/* Compares every file on the thread pool; reports files, obsolete ones, manifest. */
size_t build_check(const char *outdir, const struct outset *set, FILE *report)
{
    size_t stale = 0, mlen;
    char *mtext = manifest_text(set, &mlen);
    struct pending *p = pending_new(outdir, set, mtext, mlen, NULL, 0);
    pfor(set->nr + 1, 0, compare_one, p);
    for (size_t i = 0; i < set->nr; i++)
        stale += report_differing(&p[i], report);
    stale += report_obsolete(outdir, set, report);
    stale += report_differing(&p[set->nr], report);
    pending_free(p, set->nr + 1, false);
    free(mtext);
    return stale;
}
