/* Diagnostics: collection, ordering and the text / JSON / SARIF renderers. */
#include "diag.h"

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"
#include "srcfile.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct diag_info infos[] = {
#define DIAG(id, num, sev, summary) {#id, num, SEV_##sev, summary},
#include "diag_codes.def"
#undef DIAG
};

const struct diag_info *diag_info(enum diag_id id)
{
    return &infos[id];
}

int diag_add(struct diag_list *dl, enum diag_id id, struct loc loc, const char *fmt, ...)
{
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    VEC_GROW(dl->v, dl->nr + 1, dl->alloc);
    struct diag *d = &dl->v[dl->nr];
    memset(d, 0, sizeof(*d));
    d->id = id;
    d->sev = infos[id].sev;
    d->loc = loc;
    d->msg = strbuf_detach(&sb, NULL);
    d->seq = dl->nr++;
    return d->sev == SEV_ERROR ? -1 : 0;
}

void diag_note(struct diag_list *dl, const char *fmt, ...)
{
    if (!dl->nr)
        BUG("diag_note without a diagnostic");
    struct diag *d = &dl->v[dl->nr - 1];
    struct strbuf sb = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    d->notes = xrealloc(d->notes, (d->nnotes + 1) * sizeof(*d->notes));
    d->notes[d->nnotes++] = strbuf_detach(&sb, NULL);
}

size_t diag_count(const struct diag_list *dl, enum diag_sev sev)
{
    size_t n = 0;
    for (size_t i = 0; i < dl->nr; i++)
        n += dl->v[i].sev == sev;
    return n;
}

bool diag_failed(const struct diag_list *dl, bool werror)
{
    return diag_count(dl, SEV_ERROR) || (werror && diag_count(dl, SEV_WARNING));
}

static const char *loc_name(const struct loc *l)
{
    return l->file ? l->file->name : "";
}

static int cmp_diag(const void *a, const void *b)
{
    const struct diag *x = a, *y = b;
    int c = strcmp(loc_name(&x->loc), loc_name(&y->loc));
    if (c)
        return c;
    if (x->loc.line != y->loc.line)
        return x->loc.line < y->loc.line ? -1 : 1;
    if (x->loc.col != y->loc.col)
        return x->loc.col < y->loc.col ? -1 : 1;
    if (infos[x->id].num != infos[y->id].num)
        return infos[x->id].num < infos[y->id].num ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void diag_sort(struct diag_list *dl)
{
    if (dl->nr > 1)
        qsort(dl->v, dl->nr, sizeof(*dl->v), cmp_diag);
}

static void diag_free_one(struct diag *d)
{
    free(d->msg);
    for (size_t i = 0; i < d->nnotes; i++)
        free(d->notes[i]);
    free(d->notes);
}

void diag_truncate(struct diag_list *dl, size_t from)
{
    while (dl->nr > from)
        diag_free_one(&dl->v[--dl->nr]);
}

void diag_move(struct diag_list *dst, struct diag_list *src)
{
    VEC_GROW(dst->v, dst->nr + src->nr, dst->alloc);
    for (size_t i = 0; i < src->nr; i++) {
        dst->v[dst->nr] = src->v[i];
        dst->v[dst->nr].seq = dst->nr;
        dst->nr++;
    }
    free(src->v);
    *src = (struct diag_list)DIAG_LIST_INIT;
}

void diag_release(struct diag_list *dl)
{
    diag_truncate(dl, 0);
    free(dl->v);
    dl->v = NULL;
    dl->alloc = 0;
}

static const char *sev_word(enum diag_sev s)
{
    return s == SEV_ERROR ? "error" : "warning";
}

static char *code_text(enum diag_id id)
{
    return xasprintf("WF%04u", infos[id].num);
}

/* ---- text ------------------------------------------------------------------ */

static void print_caret(const struct loc *l, FILE *out)
{
    size_t len;
    const char *line = srcfile_line(l->file, l->line, &len);
    if (!line)
        return;
    fprintf(out, "  %.*s\n  ", (int)len, line);
    size_t off = srcfile_col_offset(line, len, l->col);
    for (size_t i = 0; i < off; i++)
        fputc(line[i] == '\t' ? '\t' : ' ', out);
    fputc('^', out);
    for (unsigned i = 1; i < l->len && off + i < len; i++)
        fputc('~', out);
    fputc('\n', out);
}

static void print_text(const struct diag *d, FILE *out)
{
    char *code = code_text(d->id);
    const struct loc *l = &d->loc;
    if (l->file && l->line)
        fprintf(out, "%s:%u:%u: ", l->file->name, l->line, l->col);
    else if (l->file)
        fprintf(out, "%s: ", l->file->name);
    else
        fputs("wfgen: ", out);
    fprintf(out, "%s: %s [%s]\n", sev_word(d->sev), d->msg, code);
    if (l->file && l->line)
        print_caret(l, out);
    for (size_t i = 0; i < d->nnotes; i++)
        fprintf(out, "note: %s\n", d->notes[i]);
    free(code);
}

/* ---- JSON and SARIF -------------------------------------------------------- */

static json_t *notes_json(const struct diag *d)
{
    json_t *a = json_array();
    for (size_t i = 0; i < d->nnotes; i++)
        json_array_append_new(a, json_string(d->notes[i]));
    return a;
}

static json_t *diag_json(const struct diag *d)
{
    json_t *o = json_object();
    char *code = code_text(d->id);
    json_object_set_new(o, "file",
                        d->loc.file ? json_string(d->loc.file->name) : json_null());
    json_object_set_new(o, "line", json_integer(d->loc.line));
    json_object_set_new(o, "column", json_integer(d->loc.col));
    json_object_set_new(o, "severity", json_string(sev_word(d->sev)));
    json_object_set_new(o, "code", json_string(code));
    json_object_set_new(o, "message", json_string(d->msg));
    json_object_set_new(o, "notes", notes_json(d));
    free(code);
    return o;
}

/* "ASL_RESOURCE_ARN" -> "AslResourceArn": SARIF rule names are Pascal-case. */
static char *pascal_name(const char *name)
{
    struct strbuf sb = STRBUF_INIT;
    bool up = true;
    for (const char *p = name; *p; p++) {
        if (*p == '_') {
            up = true;
            continue;
        }
        strbuf_addch(&sb, up ? *p : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p));
        up = false;
    }
    return strbuf_detach(&sb, NULL);
}

/*
 * The rules the results refer to, in code order; index[id] becomes each one's position
 * (the results' ruleIndex). Listing only used rules keeps the log small and stable when
 * codes are added.
 */
static json_t *sarif_rules(const struct diag_list *dl, int *index)
{
    json_t *rules = json_array();
    bool used[D__COUNT] = {false};
    for (size_t i = 0; i < dl->nr; i++)
        used[dl->v[i].id] = true;
    for (size_t i = 0; i < D__COUNT; i++) {
        if (!used[i])
            continue;
        char *code = code_text((enum diag_id)i), *name = pascal_name(infos[i].name);
        index[i] = (int)json_array_size(rules);
        json_array_append_new(rules, json_pack("{s:s, s:s, s:{s:s}, s:{s:s}}", "id", code,
                                               "name", name, "shortDescription", "text",
                                               infos[i].summary, "defaultConfiguration",
                                               "level", sev_word(infos[i].sev)));
        free(name);
        free(code);
    }
    return rules;
}

/*
 * The SARIF artifactLocation of a path as given: a relative reference (resolved against
 * %SRCROOT%, which code-scanning services take as the repository root) or, for an
 * absolute path, a file: URI. Bytes outside RFC 3986's unreserved set and '/' are
 * percent-encoded, so spaces, '%', '#', '?' and a ':' in the first segment stay path.
 */
static json_t *sarif_artifact(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    struct strbuf uri = STRBUF_INIT;
    if (path[0] == '/')
        strbuf_adds(&uri, "file://");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
            (*p >= '0' && *p <= '9') || strchr("-._~/", *p)) {
            strbuf_addch(&uri, (char)*p);
        } else {
            strbuf_addch(&uri, '%');
            strbuf_addch(&uri, hex[*p >> 4]);
            strbuf_addch(&uri, hex[*p & 15]);
        }
    }
    json_t *a = json_pack("{s:s}", "uri", uri.buf);
    if (path[0] != '/')
        json_object_set_new(a, "uriBaseId", json_string("%SRCROOT%"));
    strbuf_release(&uri);
    return a;
}

/* SARIF regions count columns in Unicode code points (run.columnKind), as we do. */
static json_t *sarif_region(const struct loc *l)
{
    json_t *r =
        json_pack("{s:i, s:i}", "startLine", (int)l->line, "startColumn", (int)l->col);
    if (l->len > 0)
        json_object_set_new(r, "endColumn", json_integer((json_int_t)l->col + l->len));
    size_t len;
    const char *line = srcfile_line(l->file, l->line, &len);
    if (line)
        json_object_set_new(r, "snippet", json_pack("{s:s%}", "text", line, len));
    return r;
}

static json_t *sarif_result(const struct diag *d, int rule_index)
{
    char *code = code_text(d->id);
    struct strbuf msg = STRBUF_INIT;
    strbuf_adds(&msg, d->msg);
    for (size_t i = 0; i < d->nnotes; i++)
        strbuf_addf(&msg, "\nnote: %s", d->notes[i]);
    json_t *r =
        json_pack("{s:s, s:i, s:s, s:{s:s}}", "ruleId", code, "ruleIndex", rule_index,
                  "level", sev_word(d->sev), "message", "text", msg.buf);
    if (d->loc.file) {
        json_t *phys =
            json_pack("{s:o}", "artifactLocation", sarif_artifact(d->loc.file->name));
        if (d->loc.line)
            json_object_set_new(phys, "region", sarif_region(&d->loc));
        json_object_set_new(r, "locations",
                            json_pack("[{s:o}]", "physicalLocation", phys));
    }
    strbuf_release(&msg);
    free(code);
    return r;
}

static json_t *sarif_doc(const struct diag_list *dl)
{
    int index[D__COUNT];
    json_t *rules = sarif_rules(dl, index), *results = json_array();
    for (size_t i = 0; i < dl->nr; i++)
        json_array_append_new(results, sarif_result(&dl->v[i], index[dl->v[i].id]));
    json_t *driver = json_pack("{s:s, s:o}", "name", "wfgen", "rules", rules);
    return json_pack("{s:s, s:s, s:[{s:{s:o}, s:s, s:o}]}", "$schema",
                     "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0",
                     "runs", "tool", "driver", driver, "columnKind", "unicodeCodePoints",
                     "results", results);
}

void diag_print(struct diag_list *dl, enum diag_format fmt, FILE *out)
{
    diag_sort(dl);
    if (fmt == DIAG_TEXT) {
        for (size_t i = 0; i < dl->nr; i++)
            print_text(&dl->v[i], out);
        return;
    }
    json_t *doc;
    if (fmt == DIAG_JSON) {
        doc = json_array();
        for (size_t i = 0; i < dl->nr; i++)
            json_array_append_new(doc, diag_json(&dl->v[i]));
    } else {
        doc = sarif_doc(dl);
    }
    jout_print(doc, out);
    json_decref(doc);
}

void diag_print_catalog_markdown(FILE *out)
{
    fputs("# wfgen diagnostics\n\nGenerated from `src/diag_codes.def` by `make docs`; "
          "do not edit.\nCodes never change meaning and are never reused.\n\n"
          "| code | severity | name | meaning |\n| --- | --- | --- | --- |\n",
          out);
    for (size_t i = 0; i < D__COUNT; i++)
        fprintf(out, "| WF%04u | %s | `%s` | %s |\n", infos[i].num,
                sev_word(infos[i].sev), infos[i].name, infos[i].summary);
}
