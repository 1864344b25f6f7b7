/*
 * The ASL field matrix (asl_spec.def) as a table, and the check of one field value by
 * its value type: JSON type, range, enumeration, nested objects, Retry and Catch.
 * Unknown fields, fields of another state type and of the other query language are
 * reported here too.
 */
#include "asl/asl_int.h"
#include "base/suggest.h"

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "emit/jout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct asl_field fields[] = {
#define ASL_FIELD(name, lang, vt, x, min, max, vals, pa, ta, ch, wa, su, fa, pl, ma)     \
    {AK_STATE,                                                                           \
     #name,                                                                              \
     #pa #ta #ch #wa #su #fa #pl #ma,                                                    \
     ASL_LANG_##lang,                                                                    \
     VT_##vt,                                                                            \
     x,                                                                                  \
     min,                                                                                \
     max,                                                                                \
     vals,                                                                               \
     D_ASL_FIELD_VALUE},
#define ASL_SUB(kind, name, pres, lang, vt, x, min, max, vals, code)                     \
    {AK_##kind, #name, #pres, ASL_LANG_##lang, VT_##vt, x, min, max, vals, D_##code},
#include "asl/asl_spec.def"
};

static const struct {
    enum asl_kind kind;
    const char *a, *b;
} exclusive[] = {
#define ASL_EXCLUSIVE(kind, a, b) {AK_##kind, #a, #b},
#include "asl/asl_spec.def"
};

static const char *const type_names[] = {
#define ASL_STATE_TYPE(id, name) name,
#include "asl/asl_spec.def"
};

/* Kinds named in the `values` column of VT_OBJECT rows. */
static const struct {
    const char *name;
    enum asl_kind kind;
} object_kinds[] = {
    {"PROCCONFIG", AK_PROCCONFIG},
    {"READER", AK_READER},
    {"READERCONFIG", AK_READERCONFIG},
    {"BATCHER", AK_BATCHER},
    {"WRITER", AK_WRITER},
    {"WRITERCONFIG", AK_WRITERCONFIG},
};

/* What to use instead of a field of the other query language. */
static const struct {
    const char *field, *hint;
} ql_hints[] = {
    {"Parameters", "JSONata states pass their input with 'Arguments'"},
    {"ResultSelector", "JSONata states shape the result in 'Output' ($states.result)"},
    {"ResultPath", "JSONata states combine input and result in 'Output'"},
    {"OutputPath", "JSONata states shape their output with 'Output'"},
    {"InputPath", "JSONata states read their input as $states.input"},
    {"Result", "JSONata Pass states give a fixed result with 'Output'"},
    {"ItemsPath", "JSONata Map states take their list from 'Items'"},
    {"Arguments", "JSONPath states pass their input with 'Parameters'"},
    {"Output", "JSONPath states shape their output with ResultSelector, ResultPath and "
               "OutputPath"},
    {"Items", "JSONPath Map states take their list from 'ItemsPath'"},
};

const char *asl_type_name(enum asl_stype t)
{
    return t < ST__COUNT ? type_names[t] : "unknown";
}

enum asl_stype asl_type_parse(const char *s)
{
    for (size_t i = 0; i < ST__COUNT; i++)
        if (!strcmp(s, type_names[i]))
            return (enum asl_stype)i;
    return ST_UNKNOWN;
}

const char *const *asl_type_names(void)
{
    return type_names;
}

const struct asl_field *asl_field_find(enum asl_kind kind, const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        if (fields[i].kind == kind && !strcmp(fields[i].name, name))
            return &fields[i];
    return NULL;
}

static bool lang_ok(const struct asl_field *f, bool jsonata)
{
    return f->lang == ASL_LANG_ANY || (f->lang == ASL_LANG_JA) == jsonata;
}

static bool present(const struct asl_field *f, enum asl_kind kind, enum asl_stype type)
{
    return kind == AK_STATE ? f->pres[type] != '_' : true;
}

static bool required(const struct asl_field *f, enum asl_kind kind, enum asl_stype type)
{
    return kind == AK_STATE ? f->pres[type] == 'R' : f->pres[0] == 'R';
}

/* ---- describing values ------------------------------------------------------------- */

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* Adds "got <value>" as a note: scalars in full (up to 60 bytes), containers by kind. */
static void note_got(struct asl_ctx *c, const json_t *v)
{
    if ((json_is_object(v) || json_is_array(v)) && !json_object_size(v) &&
        !json_array_size(v)) {
        asl_note(c, "got an empty %s", json_is_object(v) ? "object" : "array");
        return;
    }
    if (json_is_object(v) || json_is_array(v) || json_is_null(v)) {
        asl_note(c, "got %s", json_kind(v));
        return;
    }
    char *s = jout_compact(v);
    if (strlen(s) > 60)
        asl_note(c, "got %s %.57s...", json_kind(v), s);
    else
        asl_note(c, "got %s %s", json_kind(v), s);
    free(s);
}

static void describe_enum(struct strbuf *sb, const char *vals)
{
    size_t n = 1, k = 0;
    for (const char *p = vals; *p; p++)
        n += *p == '|';
    for (const char *p = vals; *p; k++) {
        size_t len = strcspn(p, "|");
        if (k)
            strbuf_adds(sb, k + 1 == n ? " or " : ", ");
        strbuf_add(sb, p, len);
        p += len + (p[len] == '|');
    }
}

static void describe(struct strbuf *sb, const struct asl_field *f)
{
    switch (f->vt) {
    case VT_TYPE:
    case VT_STRING:
        strbuf_adds(sb, "a string");
        break;
    case VT_NESTRING:
        strbuf_adds(sb, "a non-empty string");
        break;
    case VT_RESOURCE:
        strbuf_adds(sb, "an ARN string");
        break;
    case VT_ENUM:
        if (strchr(strchr(f->vals, '|') ? strchr(f->vals, '|') + 1 : "", '|'))
            strbuf_adds(sb, "one of ");
        describe_enum(sb, f->vals);
        break;
    case VT_BOOL:
        strbuf_adds(sb, "true or false");
        break;
    case VT_INT:
        if (f->max > 9e18)
            strbuf_adds(sb, f->min > 0 ? "a positive integer" : "a non-negative integer");
        else
            strbuf_addf(sb, "an integer from %.0f to %.0f", f->min, f->max);
        break;
    case VT_NUMBER:
        if (f->max > 9e18)
            strbuf_addf(sb, "a number of at least %g", f->min);
        else
            strbuf_addf(sb, "a number from %g to %g", f->min, f->max);
        break;
    case VT_TARGET:
    case VT_START:
        strbuf_adds(sb, "the name of a state");
        break;
    case VT_STATES:
        strbuf_adds(sb, "an object holding at least one state");
        break;
    case VT_PATH:
        strbuf_adds(sb, "a JSONPath string");
        break;
    case VT_PATH_N:
        strbuf_adds(sb, "a JSONPath string or null");
        break;
    case VT_RESULTPATH:
        strbuf_adds(sb, "a reference path or null");
        break;
    case VT_ERRPATH:
        strbuf_adds(sb, "a path or an intrinsic function call");
        break;
    case VT_CHOICES:
        strbuf_adds(sb, "a non-empty array of rules");
        break;
    case VT_BRANCHES:
        strbuf_adds(sb, "a non-empty array of state machines");
        break;
    case VT_RETRY:
    case VT_CATCH:
        strbuf_adds(sb, "an array of objects");
        break;
    case VT_ITEMS:
        strbuf_adds(sb, "an array");
        break;
    case VT_TIMESTAMP:
        strbuf_adds(sb, "an RFC 3339 timestamp such as \"2024-01-31T09:00:00Z\"");
        break;
    case VT_LABEL:
        strbuf_adds(sb, "a string of at most 40 characters");
        break;
    case VT_ERRORS:
        strbuf_adds(sb, "a non-empty array of error names");
        break;
    case VT_STRARRAY:
        strbuf_adds(sb, "an array of strings");
        break;
    case VT_TEMPLATE:
    case VT_LITERAL:
        strbuf_adds(sb, "a JSON value");
        break;
    case VT_OBJTEMPLATE:
    case VT_ASSIGN:
    case VT_MACHINE:
    case VT_OBJECT:
        strbuf_adds(sb, "an object");
        break;
    }
}

static void bad_value(struct asl_ctx *c, const struct asl_field *f, const json_t *parent,
                      const char *key, bool jsonata, const char *where)
{
    struct strbuf sb = STRBUF_INIT;
    describe(&sb, f);
    asl_diag(c, f->code, asl_loc(c, parent, key, 0), "'%s' of %s must be %s", key, where,
             sb.buf);
    if (jsonata && f->xpr)
        asl_note(c, "in a JSONata state it may also be a %s expression", "{% ... %}");
    note_got(c, json_object_get(parent, key));
    strbuf_release(&sb);
}

/* ---- scalar value checks ----------------------------------------------------------- */

static bool int_value(const json_t *v, double *out)
{
    if (json_is_integer(v)) {
        *out = (double)json_integer_value(v);
        return true;
    }
    if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v)) {
        *out = json_real_value(v);
        return true;
    }
    return false;
}

static bool enum_ok(const char *vals, const char *s)
{
    size_t len = strlen(s);
    for (const char *p = vals; *p;) {
        size_t n = strcspn(p, "|");
        if (n == len && !strncmp(p, s, n))
            return true;
        p += n + (p[n] == '|');
    }
    return false;
}

static int digits(const char **p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        v = v * 10 + (**p - '0');
    }
    return v;
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

bool asl_timestamp_ok(const char *s)
{
    const char *p = s;
    int y = digits(&p, 4), mo, d, h, mi, sec = 0;
    if (y < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 1 || mo > 12 || *p++ != '-')
        return false;
    if ((d = digits(&p, 2)) < 1 || d > days_in_month(y, mo) || (*p != 'T' && *p != 't'))
        return false;
    p++;
    if ((h = digits(&p, 2)) < 0 || h > 23 || *p++ != ':' || (mi = digits(&p, 2)) < 0 ||
        mi > 59)
        return false;
    if (*p == ':' && (p++, (sec = digits(&p, 2)) < 0 || sec > 59))
        return false;
    if (*p == '.') {
        int n = 0;
        for (p++; *p >= '0' && *p <= '9'; p++)
            n++;
        if (n < 1 || n > 9)
            return false;
    }
    if (*p == 'Z' || *p == 'z')
        return p[1] == '\0';
    if (*p != '+' && *p != '-')
        return false;
    p++;
    int oh = digits(&p, 2), om;
    if (oh < 0 || oh > 18 || *p++ != ':' || (om = digits(&p, 2)) < 0 || om > 59)
        return false;
    if (*p == ':' && (p++, digits(&p, 2) < 0))
        return false;
    return *p == '\0';
}

/* Characters AWS refuses in Map Run labels (and execution names). */
static bool label_char_ok(unsigned char ch)
{
    return ch > 0x20 && ch != 0x7f && !strchr("<>{}[]?*\"#%\\^|~`$&,;:/", ch);
}

static void check_label(struct asl_ctx *c, const json_t *parent, const char *key,
                        const char *where)
{
    const char *s = json_string_value(json_object_get(parent, key));
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        chars += (*p & 0xC0) != 0x80;
        if (*p < 0x80 && !label_char_ok(*p)) {
            asl_diag(c, D_ASL_MAP_LABEL, asl_loc(c, parent, key, 0),
                     "'%s' of %s holds a forbidden character", key, where);
            asl_note(c,
                     "a Map Run label may not contain whitespace, brackets, wildcards, "
                     "control characters or any of \" # %% \\ ^ | ~ ` $ & , ; : /");
            return;
        }
    }
    if (chars > 40) {
        asl_diag(c, D_ASL_MAP_LABEL, asl_loc(c, parent, key, 0),
                 "'%s' of %s is %zu characters long, over the limit of 40", key, where,
                 chars);
    }
}

static bool string_array(const json_t *v, bool nonempty)
{
    if (!json_is_array(v) || (nonempty && !json_array_size(v)))
        return false;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_string(json_array_get(v, i)))
            return false;
    return true;
}

/* ---- Retry and Catch --------------------------------------------------------------- */

static void check_error_names(struct asl_ctx *c, const json_t *h, size_t i, size_t n,
                              bool catcher, const char *where)
{
    const json_t *ee = json_object_get(h, "ErrorEquals");
    if (!string_array(ee, true))
        return;
    for (size_t j = 0; j < json_array_size(ee); j++) {
        if (!strcmp(json_string_value(json_array_get(ee, j)), "States.ALL")) {
            if (json_array_size(ee) > 1) {
                asl_diag(c, D_ASL_STATES_ALL, asl_loc(c, ee, NULL, j),
                         "'States.ALL' is not the only error name in %s", where);
                asl_note(c, "States.ALL matches every error; list it alone");
            }
            if (i + 1 < n) {
                asl_diag(c, D_ASL_STATES_ALL, asl_loc(c, ee, NULL, j),
                         "%s uses 'States.ALL' but is not the last %s", where,
                         catcher ? "catcher" : "retrier");
                asl_note(c, "move it to the end: the %s after it can never match",
                         catcher ? "catchers" : "retriers");
            }
        }
        asl_lint_error_name(c, ee, j, catcher, where);
    }
}

static void check_handlers(struct asl_ctx *c, const json_t *arr, bool catcher,
                           bool jsonata, const char *where)
{
    size_t n = json_array_size(arr);
    const json_t *saved = c->cur_assign;
    for (size_t i = 0; i < n; i++) {
        const json_t *h = json_array_get(arr, i);
        char *w = xasprintf("%s[%zu] of %s", catcher ? "Catch" : "Retry", i, where);
        if (!json_is_object(h)) {
            asl_diag(c, D_ASL_FIELD_VALUE, asl_loc(c, arr, NULL, i),
                     "%s must be an object", w);
            note_got(c, h);
            free(w);
            continue;
        }
        if (catcher)
            c->cur_assign = json_object_get(h, "Assign");
        asl_check_object(c, catcher ? AK_CATCHER : AK_RETRIER, h, jsonata, w);
        c->cur_assign = saved;
        check_error_names(c, h, i, n, catcher, w);
        free(w);
    }
}

/* ---- one value --------------------------------------------------------------------- */

static enum asl_kind object_kind(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(object_kinds); i++)
        if (!strcmp(object_kinds[i].name, name))
            return object_kinds[i].kind;
    BUG("unknown object kind '%s' in asl_spec.def", name);
}

static bool check_array_of_objects(struct asl_ctx *c, const json_t *arr, const char *key,
                                   const char *where)
{
    bool ok = true;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *e = json_array_get(arr, i);
        if (!json_is_object(e)) {
            asl_diag(c, D_ASL_FIELD_VALUE, asl_loc(c, arr, NULL, i),
                     "%s[%zu] of %s must be an object", key, i, where);
            note_got(c, e);
            ok = false;
        }
    }
    return ok;
}

/* Value types a CloudFormation intrinsic object ({"Ref": ...}) may stand for. */
static bool scalar_vt(enum asl_vt vt)
{
    switch (vt) {
    case VT_TYPE:
    case VT_STRING:
    case VT_NESTRING:
    case VT_RESOURCE:
    case VT_ENUM:
    case VT_BOOL:
    case VT_INT:
    case VT_NUMBER:
    case VT_TARGET:
    case VT_START:
    case VT_PATH:
    case VT_PATH_N:
    case VT_RESULTPATH:
    case VT_ERRPATH:
    case VT_TIMESTAMP:
    case VT_LABEL:
        return true;
    default:
        return false;
    }
}

/* Checks parent[key] against row f; returns false when the value was reported. */
static bool check_value(struct asl_ctx *c, const struct asl_field *f,
                        const json_t *parent, const char *key, bool jsonata,
                        const char *where)
{
    const json_t *v = json_object_get(parent, key);
    bool ok = true;
    if (asl_placeholder(c, v) &&
        (json_is_string(v) ? f->vt != VT_STRING && f->vt != VT_NESTRING
                           : scalar_vt(f->vt)))
        return true;
    if (jsonata && f->xpr && json_is_string(v)) {
        int k = asl_jsonata_string(c, parent, key, 0, where);
        if (k)
            return k > 0;
        if (f->vt == VT_STRING)
            return true;
    }
    switch (f->vt) {
    case VT_TYPE:
    case VT_STRING:
    case VT_START:
        ok = json_is_string(v);
        break;
    case VT_NESTRING:
        ok = json_is_string(v) && *json_string_value(v);
        break;
    case VT_RESOURCE:
        if ((ok = json_is_string(v) && *json_string_value(v)))
            asl_check_resource(c, parent, key, where);
        break;
    case VT_ENUM:
        ok = json_is_string(v) && enum_ok(f->vals, json_string_value(v));
        break;
    case VT_BOOL:
        ok = json_is_boolean(v);
        break;
    case VT_INT: {
        double n;
        ok = int_value(v, &n) && n >= f->min && n <= f->max;
        break;
    }
    case VT_NUMBER:
        ok = json_is_number(v) && json_number_value(v) >= f->min &&
             json_number_value(v) <= f->max;
        break;
    case VT_TARGET:
        if ((ok = json_is_string(v)))
            asl_add_edge(c, parent, key, where);
        break;
    case VT_STATES:
        ok = json_is_object(v) && json_object_size(v) > 0;
        break;
    case VT_PATH:
        if ((ok = json_is_string(v)))
            asl_check_path(c, parent, key, JPATH_PATH, where);
        break;
    case VT_PATH_N:
        if ((ok = json_is_string(v) || json_is_null(v)) && json_is_string(v))
            asl_check_path(c, parent, key, JPATH_PATH, where);
        break;
    case VT_RESULTPATH:
        if ((ok = json_is_string(v) || json_is_null(v)) && json_is_string(v))
            asl_check_resultpath(c, parent, key, where);
        break;
    case VT_ERRPATH:
        if ((ok = json_is_string(v)))
            asl_check_dollar_value(c, parent, key, where);
        break;
    case VT_OBJTEMPLATE:
        if (!(ok = json_is_object(v)))
            break;
        /* fall through */
    case VT_TEMPLATE:
        asl_check_template(c, parent, key, jsonata, where);
        break;
    case VT_LITERAL:
        asl_check_literal(c, parent, key, where);
        break;
    case VT_ASSIGN:
        if ((ok = json_is_object(v)))
            asl_check_assign(c, parent, key, jsonata, where);
        break;
    case VT_RETRY:
    case VT_CATCH:
        if ((ok = json_is_array(v)))
            check_handlers(c, v, f->vt == VT_CATCH, jsonata, where);
        break;
    case VT_CHOICES:
        ok = json_is_array(v) && json_array_size(v) > 0;
        break;
    case VT_BRANCHES:
        if ((ok = json_is_array(v) && json_array_size(v) > 0))
            check_array_of_objects(c, v, key, where);
        break;
    case VT_MACHINE:
        ok = json_is_object(v);
        break;
    case VT_OBJECT:
        if ((ok = json_is_object(v))) {
            char *w = xasprintf("'%s' of %s", key, where);
            asl_check_object(c, object_kind(f->vals), v, jsonata, w);
            free(w);
        }
        break;
    case VT_ITEMS:
        if ((ok = json_is_array(v)))
            asl_check_template(c, parent, key, jsonata, where);
        break;
    case VT_TIMESTAMP:
        ok = json_is_string(v) && asl_timestamp_ok(json_string_value(v));
        break;
    case VT_LABEL:
        if ((ok = json_is_string(v)))
            check_label(c, parent, key, where);
        break;
    case VT_ERRORS:
        ok = string_array(v, true);
        break;
    case VT_STRARRAY:
        ok = string_array(v, false);
        break;
    }
    if (!ok)
        bad_value(c, f, parent, key, jsonata, where);
    return ok;
}

/* ---- unknown, misplaced and missing fields ----------------------------------------- */

static void unknown_field(struct asl_ctx *c, enum asl_kind kind, enum asl_stype type,
                          const json_t *obj, const char *key, const char *where)
{
    asl_diag(c, D_ASL_UNKNOWN_FIELD, yload_key_loc(c->doc, obj, key),
             "unknown field '%s' in %s", key, where);
    size_t klen = strlen(key);
    if (klen > 2 && !strcmp(key + klen - 2, ".$")) {
        char *base = xstrndup(key, klen - 2);
        char *path = xasprintf("%sPath", base);
        const struct asl_field *pf = asl_field_find(kind, path);
        if (pf && present(pf, kind, type))
            asl_note(c, "use '%s' to read the value from the input", path);
        else
            asl_note(c, "'.$' keys are evaluated only inside Parameters, ResultSelector, "
                        "ItemSelector and Assign");
        free(base);
        free(path);
        return;
    }
    const char *cands[ARRAY_SIZE(fields)];
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
        if (fields[i].kind == kind && present(&fields[i], kind, type))
            cands[n++] = fields[i].name;
    const char *best = suggest_closest(key, cands, n);
    if (best)
        asl_note(c, "did you mean '%s'?", best);
}

static void not_allowed(struct asl_ctx *c, enum asl_stype type, const json_t *obj,
                        const char *key, bool jsonata, const char *where)
{
    asl_diag(c, D_ASL_FIELD_NOT_ALLOWED, yload_key_loc(c->doc, obj, key),
             "'%s' is not allowed in %s (a %s state)", key, where, asl_type_name(type));
    if ((!strcmp(key, "Next") || !strcmp(key, "End")) && type == ST_CHOICE) {
        asl_note(c, "a Choice state moves on through its Choices rules and \"Default\"");
        return;
    }
    if (!strcmp(key, "Next") || !strcmp(key, "End")) {
        asl_note(c, "a %s state ends its branch by itself", asl_type_name(type));
        return;
    }
    struct strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const struct asl_field *f = &fields[i];
        if (f->kind == AK_STATE && f->pres[type] != '_' && lang_ok(f, jsonata))
            strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", f->name);
    }
    asl_note(c, "%s states accept: %s", asl_type_name(type), sb.buf);
    strbuf_release(&sb);
}

void asl_wrong_ql(struct asl_ctx *c, const json_t *obj, const char *key, bool jsonata,
                  const char *where)
{
    asl_diag(c, D_EXPR_WRONG_QL, yload_key_loc(c->doc, obj, key),
             "'%s' is only supported in %s states, and %s uses %s", key,
             jsonata ? "JSONPath" : "JSONata", where, jsonata ? "JSONata" : "JSONPath");
    for (size_t i = 0; i < ARRAY_SIZE(ql_hints); i++) {
        if (!strcmp(ql_hints[i].field, key)) {
            asl_note(c, "%s", ql_hints[i].hint);
            break;
        }
    }
    size_t klen = strlen(key);
    if (jsonata && klen > 4 && !strcmp(key + klen - 4, "Path") &&
        strcmp(key, "ResultPath") && strcmp(key, "InputPath") &&
        strcmp(key, "OutputPath") && strcmp(key, "ItemsPath"))
        asl_note(c, "JSONata states give '%.*s' as a {%% ... %%} expression",
                 (int)(klen - 4), key);
    if (!jsonata && !c->top_jsonata)
        asl_note(c, "or opt this state into JSONata with \"QueryLanguage\": \"JSONata\"");
}

static void missing_field(struct asl_ctx *c, const struct asl_field *f, struct loc loc,
                          const char *where)
{
    struct strbuf sb = STRBUF_INIT;
    describe(&sb, f);
    asl_diag(c, D_ASL_MISSING_FIELD, loc, "missing '%s' in %s", f->name, where);
    asl_note(c, "add \"%s\" (%s)", f->name, sb.buf);
    strbuf_release(&sb);
}

static void check_exclusive(struct asl_ctx *c, enum asl_kind kind, const json_t *obj,
                            const char *where)
{
    for (size_t i = 0; i < ARRAY_SIZE(exclusive); i++) {
        if (exclusive[i].kind != kind || !json_object_get(obj, exclusive[i].a) ||
            !json_object_get(obj, exclusive[i].b))
            continue;
        asl_diag(c, D_ASL_FIELDS_EXCLUSIVE, yload_key_loc(c->doc, obj, exclusive[i].b),
                 "%s has both '%s' and '%s'", where, exclusive[i].a, exclusive[i].b);
        asl_note(c, "keep only one of them");
    }
}

void asl_check_object(struct asl_ctx *c, enum asl_kind kind, const json_t *obj,
                      bool jsonata, const char *where)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v)
    {
        const struct asl_field *f = asl_field_find(kind, key);
        if (!f)
            unknown_field(c, kind, ST_UNKNOWN, obj, key, where);
        else if (!lang_ok(f, jsonata))
            asl_wrong_ql(c, obj, key, jsonata, where);
        else
            check_value(c, f, obj, key, jsonata, where);
    }
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const struct asl_field *f = &fields[i];
        if (f->kind == kind && required(f, kind, ST_UNKNOWN) && lang_ok(f, jsonata) &&
            !json_object_get(obj, f->name))
            missing_field(c, f, yload_loc(c->doc, obj), where);
    }
    check_exclusive(c, kind, obj, where);
}

void asl_check_state_fields(struct asl_ctx *c, size_t si, const char *where)
{
    const struct asl_state *st = &c->states[si];
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)st->obj, key, v)
    {
        const struct asl_field *f = asl_field_find(AK_STATE, key);
        if (!f)
            unknown_field(c, AK_STATE, st->type, st->obj, key, where);
        else if (!present(f, AK_STATE, st->type))
            not_allowed(c, st->type, st->obj, key, st->jsonata, where);
        else if (!lang_ok(f, st->jsonata))
            asl_wrong_ql(c, st->obj, key, st->jsonata, where);
        else
            check_value(c, f, st->obj, key, st->jsonata, where);
    }
    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        const struct asl_field *f = &fields[i];
        if (f->kind == AK_STATE && required(f, AK_STATE, st->type) &&
            lang_ok(f, st->jsonata) && !json_object_get(st->obj, f->name))
            missing_field(c, f, yload_key_loc(c->doc, st->parent, st->name), where);
    }
    check_exclusive(c, AK_STATE, st->obj, where);
}
