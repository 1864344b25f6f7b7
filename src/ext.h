/*
 * Definition extensions (SPEC section 3): the interface between expand.c, which walks
 * the definition and dispatches on its {field, state type, expander} table, and the
 * expanders ext_ecs.c (`Ecs:` on Task states) and ext_dates.c (`Dates:` on Pass
 * states). Internal to the library; the unit tests use it too.
 *
 * Adding an extension: write `int ext_<name>_expand(struct ext_ctx *, struct ext_site *)`
 * in src/ext_<name>.c, add a row to the table in expand.c, diagnostics in the
 * "definition extensions" section of diag_codes.def, a golden case under
 * tests/golden/build/ext-<name>/ and a section in docs/definitions.md.
 */
#ifndef WFGEN_EXT_H
#define WFGEN_EXT_H

#include "base/strbuf.h"
#include "catalog.h"
#include "diag.h"
#include "yload.h"

#include <jansson.h>
#include <stdbool.h>

/* What every expander may read; one per definition. */
struct ext_ctx {
    const struct catalog *cat;
    const struct workflow *wf;
    struct ydoc *def; /* the definition being expanded (locations) */
    struct diag_list *dl;
    bool machine_jsonata; /* top-level QueryLanguage is JSONata */
    json_t *graveyard;    /* array: replaced user values stay alive until expansion
                             ends, so no new container reuses their addresses (the
                             location table is keyed by container address) */
};

/* One occurrence of an extension field on a state. All pointers are borrowed. */
struct ext_site {
    json_t *states;    /* the `States` object holding the state (its scope) */
    const char *name;  /* the state's name */
    json_t *state;     /* the state object; the expander edits it in place */
    const char *field; /* "Ecs" / "Dates" */
    json_t *value;     /* the extension's value, still in the state */
    bool jsonata;      /* the state is (or, for Dates, will be) a JSONata state */
};

/* Expanders: return 0, or -1 after adding error diagnostics (the state is then left
 * in any consistent shape; validation does not run after an error). */
int ext_ecs_expand(struct ext_ctx *x, struct ext_site *s);
int ext_dates_expand(struct ext_ctx *x, struct ext_site *s);

/* ---- Ecs references (ext_ecs.c) ------------------------------------------------- */

/* RunTask: all overrides together, JSON punctuation included (aws-facts.md 2.2). */
#define EXT_ECS_OVERRIDES_MAX 8192

/*
 * A Command element or Environment value is literal text with references in it:
 * {$.path} (also $$.Context, $variable, [n] and ['name'] segments) and {% expr %}
 * (JSONata). "{{$" and "{{%" stand for a literal "{$" and "{%"; any other brace is
 * literal text.
 */
enum ext_part_kind { EXT_LIT, EXT_PATH, EXT_JSONATA };

struct ext_part {
    enum ext_part_kind kind;
    char *text; /* literal text, the path ("$.a.b"), or the trimmed expression */
    size_t off; /* byte offset of the part in the source string */
};

struct ext_tmpl {
    struct ext_part *v;
    size_t n, alloc;
};

struct ext_ref_err {
    size_t off;    /* byte offset of the fault in the source string */
    char msg[160]; /* lowercase, no final period */
};

/* Parses `s` into `out` (released with ext_tmpl_release). Returns 0, or -1 with *err. */
int ext_tmpl_parse(const char *s, struct ext_tmpl *out, struct ext_ref_err *err);
void ext_tmpl_release(struct ext_tmpl *t);
bool ext_tmpl_has_ref(const struct ext_tmpl *t);

/* Appends `s` as an intrinsic-function string literal: '...' with \' \{ \} \\. */
void ext_intrinsic_quote(struct strbuf *sb, const char *s);
/*
 * Appends the template as one intrinsic argument: a quoted literal, the path itself
 * (a whole-value reference), or States.Format('...{}...', paths) for mixed text.
 * JSONata parts are not allowed here (the caller reports them).
 */
void ext_tmpl_intrinsic(struct strbuf *sb, const struct ext_tmpl *t);
/* Appends a JSONPath reference as JSONata: $ -> $states.input, $$ -> $states.context. */
void ext_path_jsonata(struct strbuf *sb, const char *path);
/* Appends the template as a JSONata operand: 'lit', a path, (expr), joined with &. */
void ext_tmpl_jsonata(struct strbuf *sb, const struct ext_tmpl *t);
/* New string: a scalar as text the way States.Format prints it (1.5, true, null). */
char *ext_scalar_text(const json_t *v);

/*
 * The policy a callback step's task role needs (states:SendTask*), as a NEW document,
 * when the expanded machine `asl` (borrowed) has an ecs:runTask.waitForTaskToken Task
 * at any depth; NULL otherwise. Written as out/iam/<key>.callback.policy.json.
 */
json_t *ext_ecs_callback_policy_new(const json_t *asl);

/* ---- Dates (ext_dates.c) ---------------------------------------------------------- */

/* A parsed shift: calendar months (applied first), then milliseconds. */
struct ext_shift {
    long months;
    long long ms;
};

/*
 * Parses a shift: signed terms with units y, mo, w, d, h, m, s ("-1d", "+9h",
 * "-1mo-1d"; the first sign may be left out). Returns 0, or -1 with *bad = the byte
 * offset of the fault.
 */
int ext_dates_parse_shift(const char *s, struct ext_shift *out, size_t *bad);
/*
 * Checks an XPath picture string ("[Y0001]-[M01]-[D01]"): components in brackets start
 * with a known marker, "[[" and "]]" are literal brackets, and there is at least one
 * component. Returns 0, or -1 with *bad (byte offset) and *why (static text).
 */
int ext_dates_check_picture(const char *s, size_t *bad, const char **why);
/*
 * UTC offsets of zone `tz` in seconds east, at the fixed reference dates mid-January
 * and mid-July 2026: the smaller (standard time) and the larger (daylight saving time;
 * equal when the zone has none). Returns -1 for an invalid zone.
 */
int ext_dates_zone_offset(const char *tz, long *std_off, long *dst_off);
/* "+0900" / "-0330" / "+0000": the offset in JSONata's $fromMillis form. */
void ext_dates_offset_text(long off, char buf[8]);

/* ---- shared helpers (expand.c) -------------------------------------------------- */

enum expand_splice {
    EXPAND_REPLACE, /* `fields` take the anchor key's slot; the anchor goes away */
    EXPAND_BEFORE,  /* `fields` go right before the anchor (at the end if it is absent) */
    EXPAND_AFTER,   /* `fields` go right after the anchor (at the end if it is absent) */
};

/*
 * Re-orders `obj` so that the members of `fields` (an object; stolen) sit at the
 * anchor. A key present in both takes its value from `fields` and its slot from the
 * anchor. Every other member keeps its value (same json_t) and relative order, so
 * locations of user values stay valid.
 */
void expand_splice(json_t *obj, const char *anchor, enum expand_splice how,
                   json_t *fields);

/*
 * Field-table check of an extension mapping: adds D_EXT_UNKNOWN_FIELD (with a "did
 * you mean" note) for every key of `obj` not in the NULL-terminated `known`, and
 * D_EXT_MISSING_FIELD at `where` for each of `required` (NULL-terminated, may be
 * NULL) that is absent. `what` names the mapping in messages ("Ecs"). Returns 0 or -1.
 */
int expand_check_keys(struct ext_ctx *x, const json_t *obj, const char *what,
                      const char *const *known, const char *const *required,
                      struct loc where);

/* True when the name is a key of `states` (a `States` object). */
bool expand_has_state(const json_t *states, const char *name);

/*
 * Appends `s` to `sb` as a JSONata string literal in single quotes: \' \\ and control
 * characters are escaped, everything else (including UTF-8) is copied.
 */
void expand_jsonata_quote(struct strbuf *sb, const char *s);

#endif
