/*
 * Distributed Map: items from ItemReader (local files standing in for S3: JSON, JSONL,
 * CSV, listObjectsV2), MaxItems, ItemBatcher, child executions (separate histories,
 * no access to the parent's variables), tolerated failures, and ResultWriter writing
 * the manifest and result files into the local folder.
 */
#include "interp/exec.h"

#include "base/fsutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DMAP_SLOTS 10000 /* AWS runs at most 10,000 child executions at once */

static int reader_fail(struct visit *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int named_fail(struct visit *v, const char *error, const char *fmt, va_list ap)
{
    struct strbuf sb = STRBUF_INIT;
    strbuf_vaddf(&sb, fmt, ap);
    visit_error(v, error, sb.buf);
    strbuf_release(&sb);
    return -1;
}

static int reader_fail(struct visit *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    named_fail(v, "States.ItemReaderFailed", fmt, ap);
    va_end(ap);
    return -1;
}

/* item_dir/bucket/key; NULL when a part could leave the folder. */
static char *s3_path(struct visit *v, const char *bucket, const char *key)
{
    const char *dir = v->t->ex->o->item_dir ? v->t->ex->o->item_dir : ".";
    if (!bucket || !*bucket || strchr(bucket, '/') || !strcmp(bucket, "..") ||
        (key && (strstr(key, "../") || !strcmp(key, "..") || key[0] == '/')))
        return NULL;
    return key ? xasprintf("%s/%s/%s", dir, bucket, key)
               : xasprintf("%s/%s", dir, bucket);
}

/* ---- CSV
 * -------------------------------------------------------------------------------- */

/* Splits CSV text into rows of string arrays (RFC 4180 quoting). */
static json_t *csv_rows(const char *s, size_t len, char delim)
{
    json_t *rows = json_array(), *row = json_array();
    struct strbuf field = STRBUF_INIT;
    bool quoted = false, any = false;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? s[i] : '\n';
        if (quoted) {
            if (c == '"' && i + 1 < len && s[i + 1] == '"')
                strbuf_addch(&field, s[++i]);
            else if (c == '"')
                quoted = false;
            else if (i < len)
                strbuf_addch(&field, c);
            else
                quoted = false;
            continue;
        }
        if (c == '"' && field.len == 0) {
            quoted = any = true;
        } else if (c == delim) {
            json_array_append_new(row, json_stringn(field.buf, field.len));
            strbuf_reset(&field);
            any = true;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < len && s[i + 1] == '\n')
                i++;
            if (any || field.len) {
                json_array_append_new(row, json_stringn(field.buf, field.len));
                json_array_append_new(rows, row);
                row = json_array();
            }
            strbuf_reset(&field);
            any = false;
        } else {
            strbuf_addch(&field, c);
            any = true;
        }
    }
    json_decref(row);
    strbuf_release(&field);
    return rows;
}

static int csv_items(struct visit *v, json_t *cfg, const char *text, size_t len,
                     json_t **out)
{
    static const struct {
        const char *name;
        char c;
    } delims[] = {
        {"COMMA", ','}, {"PIPE", '|'}, {"SEMICOLON", ';'}, {"SPACE", ' '}, {"TAB", '\t'}};
    const char *dname = json_string_value(json_object_get(cfg, "CSVDelimiter"));
    char delim = ',';
    for (size_t i = 0; dname && i < ARRAY_SIZE(delims); i++)
        if (!strcmp(dname, delims[i].name))
            delim = delims[i].c;
    json_t *rows = csv_rows(text, len, delim);
    const char *loc = json_string_value(json_object_get(cfg, "CSVHeaderLocation"));
    json_t *headers;
    size_t first = 0;
    if (loc && !strcmp(loc, "GIVEN")) {
        headers = json_incref(json_object_get(cfg, "CSVHeaders"));
    } else {
        headers = json_incref(json_array_get(rows, 0));
        first = 1;
    }
    if (!json_is_array(headers)) {
        json_decref(rows);
        json_decref(headers);
        return reader_fail(v, "CSV headers are missing.");
    }
    for (size_t i = 0; i < json_array_size(headers); i++)
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(headers, i), json_array_get(headers, j))) {
                json_decref(rows);
                json_decref(headers);
                return reader_fail(v, "CSV headers cannot contain duplicates.");
            }
    json_t *items = json_array();
    for (size_t r = first; r < json_array_size(rows); r++) {
        json_t *row = json_array_get(rows, r), *obj = json_object();
        size_t i;
        json_t *h;
        json_array_foreach(headers, i, h)
        {
            json_t *cell = json_array_get(row, i);
            if (json_is_string(h))
                json_object_set_new(obj, json_string_value(h),
                                    cell ? json_incref(cell) : json_string(""));
        }
        json_array_append_new(items, obj);
    }
    json_decref(rows);
    json_decref(headers);
    *out = items;
    return 0;
}

/* ---- JSON, JSONL, listObjectsV2
 * ---------------------------------------------------------- */

/* Follows a JSON pointer ("/a/0/b"); borrowed result or NULL. */
static json_t *pointer(json_t *doc, const char *ptr)
{
    if (!ptr || !*ptr)
        return doc;
    if (*ptr != '/')
        return NULL;
    char *copy = xstrdup(ptr + 1);
    json_t *cur = doc;
    for (char *tok = copy, *next; cur && tok; tok = next) {
        next = strchr(tok, '/');
        if (next)
            *next++ = '\0';
        char *w = tok;
        for (char *r = tok; *r; r++) {
            if (r[0] == '~' && (r[1] == '0' || r[1] == '1'))
                *w++ = *++r == '0' ? '~' : '/';
            else
                *w++ = *r;
        }
        *w = '\0';
        if (json_is_array(cur))
            cur = json_array_get(cur, (size_t)strtoul(tok, NULL, 10));
        else
            cur = json_object_get(cur, tok);
    }
    free(copy);
    return cur;
}

static int json_items(struct visit *v, json_t *cfg, const char *text, size_t len,
                      bool lines, json_t **out)
{
    json_t *items;
    if (lines) {
        items = json_array();
        for (size_t i = 0; i < len;) {
            const char *nl = memchr(text + i, '\n', len - i);
            size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
            json_t *line = n ? json_loadb(text + i, n, JSON_DECODE_ANY, NULL) : NULL;
            if (!line && n && strspn(text + i, " \t\r") < n) {
                json_decref(items);
                return reader_fail(v, "The JSONL line %zu is not valid JSON.",
                                   json_array_size(items) + 1);
            }
            if (line)
                json_array_append_new(items, line);
            i += n + 1;
        }
    } else {
        json_error_t je;
        json_t *doc = json_loadb(text, len, JSON_DECODE_ANY, &je);
        if (!doc)
            return reader_fail(v, "The file is not valid JSON: %s", je.text);
        items = json_incref(
            pointer(doc, json_string_value(json_object_get(cfg, "ItemsPointer"))));
        json_decref(doc);
        if (!json_is_array(items)) {
            json_decref(items);
            return reader_fail(v, "Attempting to map over non-iterable node.");
        }
    }
    *out = items;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Recursively lists regular files under dir (relative names with rel prefix). */
static void list_files(const char *dir, const char *rel, char ***names, size_t *n,
                       size_t *alloc)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        char *name = xasprintf("%s%s", rel, e->d_name);
        struct stat st;
        if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
            char *sub = xasprintf("%s/", name);
            list_files(path, sub, names, n, alloc);
            free(sub);
            free(name);
        } else if (!stat(path, &st) && S_ISREG(st.st_mode)) {
            VEC_GROW(*names, *n + 1, *alloc);
            (*names)[(*n)++] = name;
        } else {
            free(name);
        }
        free(path);
    }
    closedir(d);
}

static int list_items(struct visit *v, const char *bucket, const char *prefix,
                      json_t **out)
{
    char *root = s3_path(v, bucket, NULL);
    if (!root)
        return reader_fail(v, "The bucket name '%s' cannot be used.",
                           bucket ? bucket : "");
    char **names = NULL;
    size_t n = 0, alloc = 0;
    list_files(root, "", &names, &n, &alloc);
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    char when[32];
    interp_format_time(v->t->ex->o->start_ms, when);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!prefix || !strncmp(names[i], prefix, strlen(prefix))) {
            char *path = xasprintf("%s/%s", root, names[i]);
            struct stat st;
            json_int_t size = stat(path, &st) ? 0 : (json_int_t)st.st_size;
            free(path);
            json_array_append_new(items,
                                  json_pack("{s:s,s:s,s:s,s:I,s:s}", "Etag", "\"local\"",
                                            "Key", names[i], "LastModified", when, "Size",
                                            size, "StorageClass", "STANDARD"));
        }
        free(names[i]);
    }
    free(names);
    free(root);
    *out = items;
    return 0;
}

/*
 * The request of an ItemReader or ResultWriter, or an ItemBatcher's BatchInput: the
 * JSONPath template `jp_key` or, in a JSONata state, the value of `ja_key` (`loc`
 * names it in causes). Absent: an empty object. Returns 0 or -1 (v->f filled).
 */
static int payload(struct visit *v, json_t *obj, const char *jp_key, const char *ja_key,
                   const char *loc, json_t *eff, json_t **out)
{
    json_t *f = json_object_get(obj, v->jsonata ? ja_key : jp_key);
    if (!f) {
        *out = json_object();
        return 0;
    }
    if (v->jsonata)
        return visit_jsonata(v, loc, f, EXPR_WANT_ANY, out);
    struct expr_err err = {0};
    if (expr_template(&v->env, f, eff, out, &err))
        return visit_expr_fail(v, &err);
    return 0;
}

/* Reads the items an ItemReader names. Returns 0 or -1 (v->f filled). */
static int reader_items(struct visit *v, json_t *reader, json_t *eff, json_t **out)
{
    json_t *params;
    if (payload(v, reader, "Parameters", "Arguments", "ItemReader/Arguments", eff,
                &params))
        return -1;
    const char *res = json_string_value(json_object_get(reader, "Resource"));
    const char *bucket = json_string_value(json_object_get(params, "Bucket"));
    json_t *cfg = json_object_get(reader, "ReaderConfig");
    int rc = -1;
    if (res && strstr(res, ":s3:listObjectsV2")) {
        rc = list_items(v, bucket, json_string_value(json_object_get(params, "Prefix")),
                        out);
        json_decref(params);
        return rc;
    }
    const char *key = json_string_value(json_object_get(params, "Key"));
    char *path = key ? s3_path(v, bucket, key) : NULL;
    char *text = NULL;
    size_t len = 0;
    if (!res || !strstr(res, ":s3:getObject"))
        reader_fail(v, "The ItemReader resource '%s' is not supported locally.",
                    res ? res : "");
    else if (!path)
        reader_fail(v,
                    "The ItemReader needs a Bucket and a Key inside the items folder.");
    else if (fs_read_file(path, &text, &len))
        reader_fail(v, "The object s3://%s/%s cannot be read (%s).", bucket, key, path);
    else {
        const char *type = json_string_value(json_object_get(cfg, "InputType"));
        if (!type || !strcmp(type, "JSON"))
            rc = json_items(v, cfg, text, len, false, out);
        else if (!strcmp(type, "JSONL"))
            rc = json_items(v, cfg, text, len, true, out);
        else if (!strcmp(type, "CSV"))
            rc = csv_items(v, cfg, text, len, out);
        else
            reader_fail(v, "The InputType '%s' is not supported locally.", type);
    }
    free(text);
    free(path);
    json_decref(params);
    return rc;
}

/* ---- numbers from literals or paths
 * ------------------------------------------------------ */

/* Reads field or fieldPath as a number; *set says whether either was present. */
static int number_field(struct visit *v, json_t *obj, json_t *eff, const char *field,
                        bool integer, double *out, bool *set)
{
    char pathf[64];
    snprintf(pathf, sizeof(pathf), "%sPath", field);
    json_t *lit = json_object_get(obj, field), *p = json_object_get(obj, pathf),
           *val = NULL;
    *set = lit || p;
    if (lit && v->jsonata) {
        if (visit_jsonata(v, field, lit, integer ? EXPR_WANT_INTEGER : EXPR_WANT_NUMBER,
                          &val))
            return -1;
    } else if (lit) {
        val = json_incref(lit);
    } else if (json_is_string(p)) {
        struct expr_err err = {0};
        if (expr_path(&v->env, pathf, json_string_value(p), eff, &val, &err))
            return visit_expr_fail(v, &err);
    } else {
        return 0;
    }
    bool ok = integer ? json_is_integer(val) : json_is_number(val);
    if (ok) {
        *out = json_number_value(val);
        json_decref(val);
        return 0;
    }
    char *s = json_is_string(val) ? xstrdup(json_string_value(val)) : jout_compact(val);
    visit_runtime(v, "The %s field refers to value \"%s\" which is not a valid %s: %s",
                  p ? pathf : field, s, integer ? "integer" : "float",
                  p ? json_string_value(p) : field);
    free(s);
    json_decref(val);
    return -1;
}

/* ---- batches and children
 * --------------------------------------------------------------------- */

/* Groups the child inputs by ItemBatcher; without one each input stands alone. */
static int make_batches(struct visit *v, json_t *eff, json_t *inputs, json_t **out)
{
    json_t *b = json_object_get(v->state, "ItemBatcher");
    if (!b) {
        *out = json_incref(inputs);
        return 0;
    }
    double max_items = 0, max_bytes = 0;
    bool set;
    if (number_field(v, b, eff, "MaxItemsPerBatch", true, &max_items, &set) ||
        number_field(v, b, eff, "MaxInputBytesPerBatch", true, &max_bytes, &set))
        return -1;
    if (max_bytes <= 0 || max_bytes > PAYLOAD_LIMIT)
        max_bytes = PAYLOAD_LIMIT;
    json_t *batch_input = NULL;
    if (json_object_get(b, "BatchInput") &&
        payload(v, b, "BatchInput", "BatchInput", "ItemBatcher/BatchInput", eff,
                &batch_input))
        return -1;
    json_t *batches = json_array(), *cur = NULL;
    size_t i;
    json_t *item;
    json_array_foreach(inputs, i, item)
    {
        char *text = jout_compact(item);
        size_t add = strlen(text) + 1;
        free(text);
        size_t bytes = 0;
        if (cur) {
            char *t = jout_compact(cur);
            bytes = strlen(t);
            free(t);
        }
        if (!cur || (max_items > 0 && (double)json_array_size(cur) >= max_items) ||
            (double)(bytes + add) > max_bytes) {
            cur = json_array();
            json_t *batch = json_object();
            if (batch_input)
                json_object_set(batch, "BatchInput", batch_input);
            json_object_set_new(batch, "Items", cur);
            json_array_append_new(batches, batch);
        }
        json_array_append(cur, item);
    }
    json_decref(batch_input);
    *out = batches;
    return 0;
}

struct child_run {
    const char *sm_arn;  /* state machine ARN of the children ("<sm>/<label>") */
    const char *ex_arn;  /* their execution ARN prefix ("...:execution:<sm>/<label>") */
    const char *run_arn; /* Map Run ARN */
    json_t *records;     /* per child: {Status, Input, ...}; NULL without ResultWriter */
    size_t failed;
};

/* Appends the ResultWriter record of one child execution to cr->records. */
static void add_record(struct child_run *cr, const struct fail *f, int rc,
                       const char *arn, const char *name, json_t *in, json_t *out,
                       const char *when, int64_t now)
{
    char stop[32];
    interp_format_time(now, stop);
    json_t *rec = json_pack("{s:s,s:o,s:{s:b},s:s}", "ExecutionArn", arn, "Input",
                            hist_text(in), "InputDetails", "Included", 1, "Name", name);
    if (rc) {
        json_object_set_new(rec, "Cause", json_string(f->cause ? f->cause : ""));
        json_object_set_new(rec, "Error", json_string(f->error ? f->error : ""));
    } else {
        json_object_set_new(rec, "Output", hist_text(out));
        json_object_set_new(rec, "OutputDetails", json_pack("{s:b}", "Included", 1));
    }
    json_object_set_new(rec, "RedriveCount", json_integer(0));
    json_object_set_new(rec, "RedriveStatus", json_string("NOT_REDRIVABLE"));
    json_object_set_new(rec, "StartDate", json_string(when));
    json_object_set_new(rec, "StateMachineArn", json_string(cr->sm_arn));
    json_object_set_new(rec, "Status", json_string(rc ? "FAILED" : "SUCCEEDED"));
    json_object_set_new(rec, "StopDate", json_string(stop));
    json_array_append_new(cr->records, rec);
}

/* Runs one child execution on its own exec copy: no parent history, no variables. */
static void run_child(struct visit *v, struct child_run *cr, json_t *processor,
                      json_t *in, int64_t start, int64_t *end, json_t **out)
{
    struct exec *ex = v->t->ex;
    char name[40];
    exec_uuid(ex, name);
    struct exec child = *ex;
    child.events = NULL;
    child.entered = NULL; /* a child's states are in its own history, not the parent's */
    child.nevents = 0;
    child.history_full = false;
    /* its Context object is built only if the child reads it */
    child.ctx_base = NULL;
    child.base = (struct base_args){in, NULL, name, NULL, start, ex, cr->ex_arn};
    struct thread ct = {&child, start, json_object(), 0};
    struct fail f = {0};
    int rc = exec_machine(&ct, processor, in, out, &f);
    ex->rng = child.rng;
    ex->irng = child.irng;
    ex->nstates = child.nstates;
    *end = ct.now;
    if (rc) {
        cr->failed++;
        *out = err_output(&f);
    }
    if (cr->records) {
        char when[32];
        interp_format_time(start, when);
        char *arn = xasprintf("%s:%s", cr->ex_arn, name);
        add_record(cr, &f, rc, arn, name, in, *out, when, ct.now);
        free(arn);
    }
    fail_release(&f);
    json_decref(ct.vars);
    json_decref(child.ctx_base);
}

/* ---- tolerated failures, ResultWriter
 * ------------------------------------------------------ */

/* Returns 1 when the failures exceed what ToleratedFailure* allows, -1 on a bad field. */
static int over_threshold(struct visit *v, json_t *eff, size_t failed, size_t total)
{
    double count = 0, pct = 0;
    bool cset, pset;
    if (number_field(v, v->state, eff, "ToleratedFailureCount", true, &count, &cset) ||
        number_field(v, v->state, eff, "ToleratedFailurePercentage", false, &pct, &pset))
        return -1;
    if (count < 0)
        return visit_runtime(v, "ToleratedFailureCount cannot be negative.");
    if (pct < 0 || pct > 100)
        return visit_runtime(v, "ToleratedFailurePercentage must be between 0 and 100.");
    if (failed == 0)
        return 0;
    bool over_count = (double)failed > count;
    bool over_pct = total && (double)failed * 100.0 / (double)total > pct;
    if (cset && pset)
        return over_count || over_pct;
    if (pset)
        return over_pct;
    return over_count;
}

static int write_json(struct visit *v, const char *path, json_t *doc, size_t *size)
{
    size_t len;
    char *text = jout_dump(doc, &len);
    int rc = fs_write_atomic(path, text, len);
    free(text);
    *size = len;
    if (rc) {
        visit_error(v, "States.ResultWriterFailed",
                    "The result files cannot be written.");
        return -1;
    }
    return 0;
}

/* Writes manifest.json and the result files; *out becomes the Map's result. */
static int write_results(struct visit *v, json_t *eff, struct child_run *cr,
                         const char *id, json_t **out)
{
    json_t *w = vfield(v, SF_RESULT_WRITER), *params;
    if (payload(v, w, "Parameters", "Arguments", "ResultWriter/Arguments", eff, &params))
        return -1;
    const char *bucket = json_string_value(json_object_get(params, "Bucket"));
    const char *prefix = json_string_value(json_object_get(params, "Prefix"));
    char *key_dir = prefix && *prefix
                        ? xasprintf("%s%s%s", prefix,
                                    prefix[strlen(prefix) - 1] == '/' ? "" : "/", id)
                        : xstrdup(id);
    char *dir = s3_path(v, bucket, key_dir);
    int rc = -1;
    json_t *files = json_pack("{s:[],s:[],s:[]}", "FAILED", "PENDING", "SUCCEEDED");
    if (!dir) {
        visit_error(v, "States.ResultWriterFailed",
                    "The ResultWriter needs a Bucket inside "
                    "the items folder.");
        goto out;
    }
    static const char *const kinds[] = {"SUCCEEDED", "FAILED"};
    for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
        json_t *subset = json_array();
        size_t i;
        json_t *rec;
        json_array_foreach(cr->records, i, rec)
        {
            if (!strcmp(json_string_value(json_object_get(rec, "Status")), kinds[k]))
                json_array_append(subset, rec);
        }
        if (json_array_size(subset)) {
            char *file = xasprintf("%s/%s_0.json", dir, kinds[k]);
            size_t size;
            int wr = write_json(v, file, subset, &size);
            free(file);
            if (wr) {
                json_decref(subset);
                goto out;
            }
            json_array_append_new(json_object_get(files, kinds[k]),
                                  json_pack("{s:s+,s:I}", "Key", key_dir,
                                            k ? "/FAILED_0.json" : "/SUCCEEDED_0.json",
                                            "Size", (json_int_t)size));
        }
        json_decref(subset);
    }
    json_t *manifest = json_pack("{s:s,s:s,s:O}", "DestinationBucket", bucket,
                                 "MapRunArn", cr->run_arn, "ResultFiles", files);
    char *mpath = xasprintf("%s/manifest.json", dir);
    size_t msize;
    rc = write_json(v, mpath, manifest, &msize);
    free(mpath);
    json_decref(manifest);
    if (!rc)
        *out = json_pack("{s:s,s:{s:s,s:s+}}", "MapRunArn", cr->run_arn,
                         "ResultWriterDetails", "Bucket", bucket, "Key", key_dir,
                         "/manifest.json");
out:
    json_decref(files);
    free(dir);
    free(key_dir);
    json_decref(params);
    return rc;
}

/* ---- the Map Run
 * -------------------------------------------------------------------------- */

static int child_inputs(struct visit *v, json_t *eff, json_t **out)
{
    json_t *reader = json_object_get(v->state, "ItemReader"), *items;
    if (reader ? reader_items(v, reader, eff, &items) : map_items(v, eff, &items))
        return -1;
    double max = 0;
    bool set = false;
    if (reader && number_field(v, json_object_get(reader, "ReaderConfig"), eff,
                               "MaxItems", true, &max, &set)) {
        json_decref(items);
        return -1;
    }
    if (set && max <= 0) {
        json_decref(items);
        return reader_fail(v, "field MaxItems must be positive");
    }
    json_t *inputs = json_array();
    size_t n = json_array_size(items);
    if (set && max < (double)n)
        n = (size_t)max;
    for (size_t i = 0; i < n; i++) {
        json_t *in;
        if (map_item_input(v, eff, i, json_array_get(items, i), &in)) {
            json_decref(items);
            json_decref(inputs);
            return -1;
        }
        json_array_append_new(inputs, in);
    }
    json_decref(items);
    int rc = make_batches(v, eff, inputs, out);
    json_decref(inputs);
    return rc;
}

/* Runs every child, in slots of MaxConcurrency. Returns the outputs in order. */
static json_t *run_children(struct visit *v, struct child_run *cr, json_t *processor,
                            json_t *inputs, long maxc)
{
    size_t n = json_array_size(inputs);
    size_t nslots = maxc > 0 && maxc < DMAP_SLOTS ? (size_t)maxc : DMAP_SLOTS;
    if (nslots > n)
        nslots = n ? n : 1;
    int64_t *slots = xcalloc(nslots, sizeof(*slots)), end = v->t->now;
    for (size_t j = 0; j < nslots; j++)
        slots[j] = v->t->now;
    json_t *outs = json_array();
    for (size_t i = 0; i < n; i++) {
        size_t slot = map_first_free(slots, nslots);
        json_t *out;
        run_child(v, cr, processor, json_array_get(inputs, i), slots[slot], &slots[slot],
                  &out);
        if (slots[slot] > end)
            end = slots[slot];
        json_array_append_new(outs, out);
    }
    free(slots);
    v->t->now = end;
    return outs;
}

int dmap_run(struct visit *v, json_t *eff, json_t *processor, json_t **result)
{
    struct thread *t = v->t;
    struct exec *ex = t->ex;
    json_t *inputs = NULL;
    long maxc;
    if (child_inputs(v, eff, &inputs))
        return -1;
    if (map_max_concurrency(v, eff, &maxc)) {
        json_decref(inputs);
        return -1;
    }
    char id[40];
    exec_uuid(ex, id);
    const char *label = json_string_value(json_object_get(v->state, "Label"));
    const char *machine = json_string_value(
        json_object_get(json_object_get(exec_ctx_base(ex), "StateMachine"), "Name"));
    char *sm_arn = xasprintf("arn:%s:states:%s:%s:stateMachine:%s/%s", ex->partition,
                             ex->region, ex->account, machine, label ? label : v->name);
    char *run_arn =
        xasprintf("arn:%s:states:%s:%s:mapRun:%s/%s:%s", ex->partition, ex->region,
                  ex->account, machine, label ? label : v->name, id);
    char *ex_arn = xasprintf("arn:%s:states:%s:%s:execution:%s/%s", ex->partition,
                             ex->region, ex->account, machine, label ? label : v->name);
    /* The per-child records feed ResultWriter only: 10,000 children without one would
     * hold megabytes of records for nothing. */
    json_t *records = vfield(v, SF_RESULT_WRITER) ? json_array() : NULL;
    struct child_run cr = {sm_arn, ex_arn, run_arn, records, 0};
    json_t *d = ex->events
                    ? json_pack("{s:I}", "length", (json_int_t)json_array_size(inputs))
                    : NULL;
    hist_add(t, "MapStateStarted", "mapStateStartedEventDetails", d);
    d = ex->events ? json_pack("{s:s}", "mapRunArn", run_arn) : NULL;
    hist_add(t, "MapRunStarted", "mapRunStartedEventDetails", d);
    json_t *outs = run_children(v, &cr, processor, inputs, maxc);
    int over = over_threshold(v, eff, cr.failed, json_array_size(inputs));
    int rc = over ? -1 : 0;
    if (over > 0)
        visit_error(v, "States.ExceedToleratedFailureThreshold",
                    "The specified tolerated failure threshold was exceeded");
    if (!rc && vfield(v, SF_RESULT_WRITER))
        rc = write_results(v, eff, &cr, id, result);
    else if (!rc)
        *result = json_incref(outs);
    if (rc) {
        d = ex->events ? json_object() : NULL;
        if (d && v->f.error)
            json_object_set_new(d, "error", json_string(v->f.error));
        if (d && v->f.cause)
            json_object_set_new(d, "cause", json_string(v->f.cause));
        hist_add(t, "MapRunFailed", "mapRunFailedEventDetails", d);
        hist_add(t, "MapStateFailed", NULL, NULL);
    } else {
        hist_add(t, "MapRunSucceeded", NULL, NULL);
        hist_add(t, "MapStateSucceeded", NULL, NULL);
    }
    json_decref(outs);
    json_decref(inputs);
    json_decref(cr.records);
    free(sm_arn);
    free(ex_arn);
    free(run_arn);
    return rc;
}
