/*
 * Internals of the ASL validator, shared by validate.c (walk, graph), fields.c (field
 * matrix and value types), expr.c (paths, templates, JSONata shape, variables),
 * jsonata.c (JSONata expressions), choice.c (Choice rules) and lints.c (run-time
 * lints). Not a public API.
 */
#ifndef WFGEN_ASL_INT_H
#define WFGEN_ASL_INT_H

#include "asl/validate.h"
#include "interp/jpath.h"

#include <stdint.h>

#define ASL_NONE ((size_t)-1)

enum asl_stype {
#define ASL_STATE_TYPE(id, name) ST_##id,
#include "asl/asl_spec.def"
    ST__COUNT,
    ST_UNKNOWN = ST__COUNT /* Type missing or not one of the eight */
};

enum asl_lang { ASL_LANG_ANY, ASL_LANG_JP, ASL_LANG_JA };

/* Value types of asl_spec.def; the checks live in fields.c (asl_check_value). */
enum asl_vt {
    VT_TYPE,        /* state Type (checked by validate.c) */
    VT_STRING,      /* any string */
    VT_NESTRING,    /* non-empty string */
    VT_RESOURCE,    /* Task / ItemReader / ResultWriter Resource: an ARN */
    VT_ENUM,        /* one of the '|'-separated values */
    VT_BOOL,        /* true or false */
    VT_INT,         /* integer within [min, max] */
    VT_NUMBER,      /* number within [min, max] */
    VT_TARGET,      /* name of a state in the same scope: a transition */
    VT_START,       /* StartAt: resolved by the graph pass */
    VT_STATES,      /* States object of a (nested) machine */
    VT_PATH,        /* JSONPath */
    VT_PATH_N,      /* JSONPath or null */
    VT_RESULTPATH,  /* reference path into the state input, or null */
    VT_ERRPATH,     /* JSONPath or intrinsic call (Fail ErrorPath/CausePath) */
    VT_TEMPLATE,    /* JSONPath payload template / JSONata value */
    VT_OBJTEMPLATE, /* the same, but must be an object */
    VT_LITERAL,     /* copied as is (Pass Result) */
    VT_ASSIGN,      /* variable assignments */
    VT_RETRY,       /* array of retriers */
    VT_CATCH,       /* array of catchers */
    VT_CHOICES,     /* Choice rules (checked by choice.c) */
    VT_BRANCHES,    /* Parallel branches: non-empty array of machines */
    VT_MACHINE,     /* Map ItemProcessor / Iterator */
    VT_OBJECT,      /* nested object of the kind named in `vals` */
    VT_ITEMS,       /* Map Items (JSONata): array or expression */
    VT_TIMESTAMP,   /* RFC 3339 date-time with T and a zone */
    VT_LABEL,       /* distributed Map Label */
    VT_ERRORS,      /* ErrorEquals */
    VT_STRARRAY,    /* array of strings */
};

/* Objects with a field table: states, and the nested objects of asl_spec.def. */
enum asl_kind {
    AK_STATE,
    AK_TOP,
    AK_MACHINE,
    AK_PROCESSOR,
    AK_PROCCONFIG,
    AK_RETRIER,
    AK_CATCHER,
    AK_READER,
    AK_READERCONFIG,
    AK_BATCHER,
    AK_WRITER,
    AK_WRITERCONFIG,
};

struct asl_field {
    enum asl_kind kind;
    const char *name;
    const char *pres; /* AK_STATE: one of R/O/_ per state type; else "R" or "O" */
    enum asl_lang lang;
    enum asl_vt vt;
    bool xpr; /* a JSONata state may give a {% %} expression instead */
    double min, max;
    const char *vals; /* VT_ENUM values, VT_OBJECT kind name */
    enum diag_id code;
};

struct asl_edge {
    size_t to;            /* state index */
    const json_t *assign; /* Assign applied on this transition (borrowed), or NULL */
};

struct asl_state {
    const char *name;     /* key in the States object (borrowed) */
    const json_t *obj;    /* the state (borrowed) */
    const json_t *parent; /* the States object holding it */
    size_t scope;
    enum asl_stype type;
    bool jsonata;  /* effective QueryLanguage */
    bool terminal; /* Succeed, Fail, End: true (or too broken to follow) */
    bool reachable;
    bool dangling; /* a transition names no state (reported; ends the path) */
    struct asl_edge *edges;
    size_t nedges, aedges;
    uint64_t *vars_in; /* variables possibly assigned on entry (expr.c) */
};

struct asl_scope {
    const json_t *machine; /* the machine object (top level, branch, processor) */
    const json_t *states;  /* its States object, NULL when absent or not an object */
    size_t parent;         /* enclosing scope, ASL_NONE at the top level */
    size_t owner;          /* the Parallel/Map state, ASL_NONE at the top level */
    bool distributed;      /* child executions of a distributed Map */
    size_t first, n;       /* its states: indexes [first, first + n) */
    size_t start;          /* StartAt state, ASL_NONE until resolved by the graph pass */
    char *what;            /* "the state machine", "branch 2 of 'P'" (owned) */
};

struct asl_varuse {
    size_t state;
    char *name; /* owned */
    struct loc loc;
};

struct asl_name {
    const char *name;
    size_t scope, state;
};

struct asl_ctx {
    const struct ydoc *doc;
    const struct asl_opts *opts;
    struct diag_list *dl;
    int rc; /* -1 once an error was added */
    const json_t *top;
    bool top_jsonata;
    struct asl_scope *scopes;
    size_t nscopes, ascopes;
    struct asl_state *states;
    size_t nstates, astates;
    struct asl_name *byscope; /* sorted by (scope, name) for target lookups */
    struct asl_varuse *uses;
    size_t nuses, auses;
    size_t cur;               /* state being checked, ASL_NONE outside states */
    const json_t *cur_assign; /* Assign of the transitions being added */
    const char **guards;      /* Choice lint: paths known to be present */
    size_t nguards, aguards;
    const char **warned; /* Choice lint: paths already reported in this state */
    size_t nwarned, awarned;
    unsigned ja_states; /* ASL_JA_* members of $states the field being checked has */
};

/* ---- validate.c: diagnostics and transitions --------------------------------------- */

/* Adds a diagnostic (printf-style) and records an error in c->rc. */
void asl_diag(struct asl_ctx *c, enum diag_id id, struct loc loc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void asl_note(struct asl_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Location of parent[key] (key != NULL) or parent[idx]. */
struct loc asl_loc(const struct asl_ctx *c, const json_t *parent, const char *key,
                   size_t idx);
/* Adds a transition from c->cur to the state named by parent[key], or reports it. */
void asl_add_edge(struct asl_ctx *c, const json_t *parent, const char *key,
                  const char *where);
/*
 * True when opts allow placeholders and v is one: a string holding a ${...}
 * substitution (SAM, Terraform) or a CloudFormation intrinsic object such as
 * {"Ref": "Fn"} or {"Fn::GetAtt": [...]} standing for a string.
 */
bool asl_placeholder(const struct asl_ctx *c, const json_t *v);

/* ---- fields.c: the field matrix ---------------------------------------------------- */

const struct asl_field *asl_field_find(enum asl_kind kind, const char *name);
const char *asl_type_name(enum asl_stype t);
/* Returns the state type named s, or ST_UNKNOWN. */
enum asl_stype asl_type_parse(const char *s);
/* The ST__COUNT type names, in enum order. */
const char *const *asl_type_names(void);
/* Checks every member of a state against the matrix column of its type. */
void asl_check_state_fields(struct asl_ctx *c, size_t si, const char *where);
/* Checks a nested object against its ASL_SUB rows (unknown, language, type, required). */
void asl_check_object(struct asl_ctx *c, enum asl_kind kind, const json_t *obj,
                      bool jsonata, const char *where);
/* Reports a field of the other query language; `what` is "state" or "rule" etc. */
void asl_wrong_ql(struct asl_ctx *c, const json_t *obj, const char *key, bool jsonata,
                  const char *where);
/* RFC 3339 date-time with 'T' and a zone (as Step Functions parses timestamps). */
bool asl_timestamp_ok(const char *s);

/* ---- resource.c: Task, ItemReader and ResultWriter resources ---------------------- */

/* Checks the ARN (or placeholder) string at parent[key]. */
void asl_check_resource(struct asl_ctx *c, const json_t *parent, const char *key,
                        const char *where);

/* ---- expr.c: expressions and variables --------------------------------------------- */

/* Checks a JSONPath (or reference path) string at parent[key]; records variable reads. */
void asl_check_path(struct asl_ctx *c, const json_t *parent, const char *key,
                    enum jpath_kind kind, const char *where);
/* Checks a path or intrinsic call at parent[key] (a `.$` value, ErrorPath). */
void asl_check_dollar_value(struct asl_ctx *c, const json_t *parent, const char *key,
                            const char *where);
/* Walks a payload template (JSONPath) or a JSONata value at parent[key]. */
void asl_check_template(struct asl_ctx *c, const json_t *parent, const char *key,
                        bool jsonata, const char *where);
/* Warns about `.$` keys inside a literal (Pass Result). */
void asl_check_literal(struct asl_ctx *c, const json_t *parent, const char *key,
                       const char *where);
/* Checks a ResultPath string at parent[key]: a reference path into the state input. */
void asl_check_resultpath(struct asl_ctx *c, const json_t *parent, const char *key,
                          const char *where);
/* Checks an Assign object at parent[key]. */
void asl_check_assign(struct asl_ctx *c, const json_t *parent, const char *key,
                      bool jsonata, const char *where);
/*
 * Classifies a string of a JSONata state: 1 = {% %} expression (fine), 0 = a plain
 * literal, -1 = reported as malformed or misleading. parent[key] or parent[idx].
 */
int asl_jsonata_string(struct asl_ctx *c, const json_t *parent, const char *key,
                       size_t idx, const char *where);
/* Flow analysis of Assign/variable reads across scopes (after the graph pass). */
void asl_check_variables(struct asl_ctx *c);
/* Records that the current state reads variable name[0..len) at loc. */
void asl_record_use(struct asl_ctx *c, struct loc loc, const char *name, size_t len);

/* ---- jsonata.c: JSONata expressions ------------------------------------------------ */

/* Members of $states a field has besides input and context (asl_ctx.ja_states). */
#define ASL_JA_RESULT 1u /* Output and Assign of Task, Parallel and Map */
#define ASL_JA_ERROR  2u /* Output and Assign of a catcher */

/* Sets c->ja_states for the field parent[key] (of the state, a catcher or elsewhere). */
void asl_ja_scope(struct asl_ctx *c, const json_t *parent, const char *key);
/*
 * Checks the {% %} expression s, the string at parent[key] (or parent[idx] when key is
 * NULL): parses it and reports syntax errors at their position, constructs Step
 * Functions refuses, $states members the field does not have (c->ja_states), and
 * records the workflow variables it reads. Returns 0, or -1 when it reported an error.
 */
int asl_ja_check(struct asl_ctx *c, const json_t *parent, const char *key, size_t idx,
                 const char *s, const char *what);

/* ---- choice.c ---------------------------------------------------------------------- */

void asl_check_choice(struct asl_ctx *c, size_t si, const char *where);

/* ---- lints.c ----------------------------------------------------------------------- */

/* Lints on one ErrorEquals name (States.Runtime and friends). */
void asl_lint_error_name(struct asl_ctx *c, const json_t *arr, size_t idx, bool catcher,
                         const char *where);
/* Per-state lints: timeouts, heartbeats, ECS revisions, Wait length, unbounded Map. */
void asl_lint_state(struct asl_ctx *c, size_t si, const char *where);
/* Whole-definition lints (size). */
void asl_lint_definition(struct asl_ctx *c);

#endif
