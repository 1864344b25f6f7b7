/*
 * JSONata internals shared by the lexer, parser, evaluator and function library: the
 * per-evaluation arena, the value model (sequences, arrays, objects, functions and
 * undefined), AST nodes and the evaluation context. Not a public API.
 *
 * Memory: every value made during one evaluation lives in that evaluation's arena and
 * is freed at once when it ends, so values are shared freely and never freed one by
 * one. Errors leave evaluation by longjmp back to jsonata_eval (like Lua's errors: the
 * arena owns every object, so unwinding leaks nothing). No function called during
 * evaluation may hold malloc'd memory or a json_t reference across a call that can fail.
 */
#ifndef WFGEN_JSONATA_INT_H
#define WFGEN_JSONATA_INT_H

#include "interp/jsonata.h"

#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* ---- Arena ------------------------------------------------------------------------- */

struct jsonata_arena_blk {
    struct jsonata_arena_blk *next;
    size_t used, size;
    _Alignas(max_align_t) unsigned char data[];
};

struct jsonata_arena {
    struct jsonata_arena_blk *head;
    size_t total; /* bytes allocated so far */
    size_t limit; /* 0 = unlimited */
};

/* ---- Values ------------------------------------------------------------------------ */

/* Deepest nesting of values that recursive walks (output, $string, =) accept. */
#define JSONATA_MAX_NESTING 3000

/* Undefined is the NULL pointer. */
enum jv_type { JV_NULL, JV_BOOL, JV_NUM, JV_STR, JV_ARR, JV_OBJ, JV_FUNC, JV_TUPLES };

/* Array flags (JSONata marks arrays the same way). */
#define JVF_SEQ   1u /* a sequence made by evaluation, not a JSON array */
#define JVF_KEEP  2u /* keep a singleton sequence as an array ([] in a path) */
#define JVF_CONS  4u /* made by an array constructor: path steps do not flatten it */
#define JVF_OUTER 8u /* wraps a top-level array input */

struct jv;
struct jobj;
struct jfn;
struct jtuple;

struct jv {
    uint8_t t;
    uint8_t f;
    union {
        int b;
        double n;
        struct {
            const char *p;
            size_t len;
        } s;
        struct {
            struct jv **v;
            size_t n, cap;
        } a;
        struct {
            struct jobj *p; /* NULL while lazy: use jsonata_o() */
            json_t *src;    /* lazy: the borrowed input object it stands for */
        } o;
        struct jfn *fn;
        struct {
            struct jtuple **v;
            size_t n, cap;
        } tu;
    } u;
};

struct jkv {
    const char *k;
    size_t klen;
    struct jv *v;
};

/*
 * The members of an object. An object converted from the input document starts out
 * lazy (u.o.p NULL, u.o.src the borrowed json_t) and gets its members on first access
 * (jsonata_o), so an evaluation converts only the objects it actually reaches.
 */
struct jobj {
    struct jkv *kv;
    size_t n, cap;
    uint32_t *idx; /* open-addressed hash of kv indexes + 1, when n is large */
    size_t icap;
};

/* One variable binding of a frame or tuple; v NULL is bound to undefined. */
struct jbind {
    const char *name;
    struct jv *v;
};

struct jframe {
    struct jframe *parent;
    struct jbind *b;
    size_t n, cap;
};

/* A tuple of a tuple stream: the focus '@' plus its bindings. */
struct jtuple {
    struct jv *at;
    struct jbind *b;
    size_t n;
};

struct jnode;
struct jsig;
struct jsonata_builtin;

enum jfn_kind { JF_LAMBDA, JF_BUILTIN, JF_PARTIAL, JF_REGEX, JF_TRANSFORM, JF_CHAIN };

struct jfn {
    enum jfn_kind k;
    int arity;
    bool thunk;
    const struct jnode *node;         /* lambda, regex or transform node */
    struct jframe *env;               /* closure */
    struct jv *input;                 /* context item at creation */
    const struct jsonata_builtin *bi; /* JF_BUILTIN */
    struct jv *target, *second;       /* JF_PARTIAL target; JF_CHAIN first, second */
    struct jv **args;                 /* JF_PARTIAL bound args (JSONATA_PLACEHOLDER) */
    size_t nargs;
};

/* ---- AST --------------------------------------------------------------------------- */

enum jnode_type {
    N_PATH,
    N_BINARY,
    N_NEG,
    N_ARRAY,
    N_OBJECT,
    N_NAME,
    N_STRING,
    N_NUMBER,
    N_VALUE,
    N_WILDCARD,
    N_DESCENDANT,
    N_PARENT,
    N_CONDITION,
    N_BLOCK,
    N_BIND,
    N_REGEX,
    N_CALL,
    N_PARTIAL,
    N_VARIABLE,
    N_LAMBDA,
    N_APPLY,
    N_TRANSFORM,
    N_SORT,
    N_PLACEHOLDER,
    /* parse-only forms, rewritten by the AST pass */
    N_OPERATOR,
    N_DOT,
    N_PRED,
    N_GROUPBY,
    N_ORDERBY,
    N_FOCUS,
    N_INDEX,
};

enum jop {
    OP_NONE,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_MOD,
    OP_EQ,
    OP_NE,
    OP_LT,
    OP_LE,
    OP_GT,
    OP_GE,
    OP_CONCAT,
    OP_AND,
    OP_OR,
    OP_IN,
    OP_RANGE,
};

/* A %-operator slot: which ancestor a parent reference binds to. */
struct jslot {
    char label[16];
    int level;
    size_t index;
};

struct jstage {
    bool is_index;   /* #$var stage, else a filter */
    const char *var; /* index variable name */
    const struct jnode *expr;
    size_t pos;
};

struct jpair {
    struct jnode *key, *val;
};

struct jsortterm {
    struct jnode *expr;
    bool desc;
};

struct jnode {
    enum jnode_type type;
    enum jop op;
    size_t pos;      /* byte offset of the token */
    const char *str; /* name, string, variable name (without $) */
    size_t slen;
    double num;
    int val; /* N_VALUE: 0 false, 1 true, 2 null */
    struct jnode *lhs, *rhs;
    struct jnode *cond, *then, *els;
    struct jnode **items; /* block, array, path steps, call args, lambda params */
    size_t nitems;
    struct jpair *pairs; /* object constructor */
    size_t npairs;
    struct jpair *group; /* group-by on a step */
    size_t ngroup;
    size_t group_pos;
    bool has_group;
    struct jsortterm *terms;
    size_t nterms;
    struct jnode *body; /* lambda */
    struct jsig *sig;
    struct jnode *proc;                   /* call */
    struct jnode *pattern, *update, *del; /* transform */
    struct jstage *stages;                /* on a path step */
    size_t nstages;
    struct jstage *preds; /* on any other node */
    size_t npreds;
    const char *focus; /* @$var */
    const char *index; /* #$var */
    struct jslot *ancestor;
    struct jslot *slot; /* N_PARENT */
    struct jslot **seeking;
    size_t nseeking;
    pcre2_code *re;
    const struct jsonata_builtin *bi; /* N_VARIABLE naming a builtin (parse time) */
    bool keep_array, keep_singleton, consarray, tuple, thunk, desc;
    bool v21; /* made by ?: or ?? (JSONata 2.1, not in Step Functions' 2.0.6) */
};

/* ---- Signatures -------------------------------------------------------------------- */

/* How often a parameter's type letters may repeat (the regex's quantifier). */
enum jsig_quant { JQ_ONE, JQ_OPT, JQ_PLUS, JQ_OPT_LAZY, JQ_PLUS_LAZY };

struct jsig_param {
    char type;      /* s n b l o a f j x or '(' for a choice */
    char subtype;   /* a<s>: 's'; 0 when none */
    bool context;   /* '-': the context item stands in for a missing argument */
    char regex[24]; /* the regex for this parameter */
    uint32_t set;   /* the type letters the regex's class accepts (bit c - 'a') */
    uint8_t quant;  /* enum jsig_quant */
};

struct jsig {
    struct jsig_param *p;
    size_t n;
    pcre2_code *re; /* ^(..)(..)$ over type letters */
    bool direct;    /* set/quant describe every regex: match without PCRE2 */
};

/* ---- Evaluation context ------------------------------------------------------------ */

/*
 * Date/time pictures analysed once per program (jsonata_datetime.c): the first
 * JSONATA_PIC_SLOTS distinct pictures an evaluation uses are kept, each slot set once
 * (atomically: programs may be evaluated from several threads) and freed with the
 * program; further pictures are analysed on every call.
 */
#define JSONATA_PIC_SLOTS 4
struct jdt_pic;
void jsonata_dt_pic_free(struct jdt_pic *p);

struct jsonata {
    char *text;
    size_t len;
    struct jnode *root;
    struct jsonata_arena arena; /* AST and compile-time strings */
    pcre2_code **res;           /* compiled regexes and signatures, freed with the tree */
    size_t nres, capres;
    _Atomic(struct jdt_pic *) pics[JSONATA_PIC_SLOTS];
};

struct jx {
    const struct jsonata *prog;
    const struct jsonata_env *env;
    struct jsonata_arena arena;
    jmp_buf jb;
    struct jsonata_err *err;
    struct jframe *root; /* builtins are looked up separately */
    unsigned depth, max_depth;
    unsigned long steps, max_steps;
    int64_t now_ms;
    uint64_t rng_state;
    bool aws;
    pcre2_match_data *md;      /* made on first use (jsonata_md); both are kept */
    pcre2_match_context *mctx; /* for the next evaluation, as is the arena's block */
    struct jframe *cur_env;    /* frame of the innermost function call ($eval) */
    struct jv *last_match;     /* custom matcher functions: the previous match object */
    struct jsonata **subs;     /* programs compiled by $eval, freed at the end */
    size_t nsubs, capsubs;
};

/* The placeholder bound in partial applications ($f(?, 2)). */
extern struct jv jsonata_placeholder;
#define JSONATA_PLACEHOLDER (&jsonata_placeholder)

/* ---- Arena (jsonata_value.c) ------------------------------------------------------- */

void *jsonata_arena_alloc(struct jsonata_arena *a, size_t n);
void jsonata_arena_release(struct jsonata_arena *a);
/* Frees every block but one of the standard size, which is emptied for reuse. */
void jsonata_arena_reset(struct jsonata_arena *a);
void *jsonata_alloc_slow(struct jx *x, size_t n);
/* n bytes (16-aligned) from the evaluation's arena; throws U1001 past the budget. */
static inline void *jsonata_alloc(struct jx *x, size_t n)
{
    struct jsonata_arena_blk *b = x->arena.head;
    n = (n + 15) & ~(size_t)15;
    if (b && b->size - b->used >= n && x->arena.total + n <= x->arena.limit) {
        void *p = b->data + b->used;
        b->used += n;
        return p;
    }
    return jsonata_alloc_slow(x, n);
}
char *jsonata_strndup(struct jx *x, const char *s, size_t n);

/* ---- Errors (jsonata_value.c) ------------------------------------------------------ */

_Noreturn void jsonata_throw(struct jx *x, const char *code, size_t pos, const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));
void jsonata_set_err(struct jsonata_err *err, const char *code, size_t pos,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ---- Values (jsonata_value.c) ------------------------------------------------------ */

extern struct jv jsonata_null, jsonata_true, jsonata_false;
struct jv *jsonata_bool(bool b);
struct jv *jsonata_num(struct jx *x, double n);
struct jv *jsonata_str(struct jx *x, const char *p, size_t len); /* no copy */
struct jv *jsonata_strdup(struct jx *x, const char *p, size_t len);
struct jv *jsonata_cstr(struct jx *x, const char *s); /* copies */
struct jv *jsonata_arr(struct jx *x, size_t cap);
struct jv *jsonata_seq(struct jx *x, size_t cap);
void jsonata_push(struct jx *x, struct jv *arr, struct jv *v);
struct jv *jsonata_obj(struct jx *x);
/* Converts the members of lazy object v (u.o.src) in place. */
void jsonata_obj_load(struct jx *x, struct jv *v);
/* The members of object v, converted on first use: the only way to reach them. */
static inline struct jobj *jsonata_o(struct jx *x, const struct jv *v)
{
    if (!v->u.o.p)
        jsonata_obj_load(x, (struct jv *)v); /* values live in the arena: never const */
    return v->u.o.p;
}
struct jv *jsonata_obj_get(struct jx *x, const struct jv *o, const char *k, size_t klen);
void jsonata_obj_set(struct jx *x, struct jv *o, const char *k, size_t klen,
                     struct jv *v);
void jsonata_obj_del(struct jx *x, struct jv *o, const char *k, size_t klen);
struct jv *jsonata_fn(struct jx *x, enum jfn_kind k);

static inline bool jsonata_is_num(const struct jv *v)
{
    return v && v->t == JV_NUM;
}

/*
 * Converts a JSON value. Without copy, j is borrowed for the whole evaluation: strings
 * and keys are referenced and objects stay lazy (converted on first use); with copy,
 * everything is converted and copied at once (j may be freed afterwards).
 */
struct jv *jsonata_from_json(struct jx *x, json_t *j, bool copy);
/* Converts back; *is_fn is set when v is a function. Non-finite numbers: see mode. */
json_t *jsonata_to_json(struct jx *x, const struct jv *v);

/* JSONata's $string(): JSON text with numbers at 15 significant digits. */
struct jv *jsonata_stringify(struct jx *x, const struct jv *v, bool pretty);
/* JavaScript's Number#toString into buf (at least 32 bytes). */
void jsonata_numfmt(double d, char *buf);
/* Equal scalars (same type and value); containers only when the same value. */
bool jsonata_scalar_equal(const struct jv *a, const struct jv *b);
bool jsonata_deep_equal(struct jx *x, const struct jv *a, const struct jv *b);
bool jsonata_truthy(struct jx *x, const struct jv *v, bool *defined);
/* Type letter for signatures: s n b l a o f, m for undefined. */
char jsonata_type_letter(const struct jv *v);
const char *jsonata_type_name(const struct jv *v);
/* Short description of a value for messages. */
const char *jsonata_describe(struct jx *x, const struct jv *v);

/* Flattening helpers (JSONata's append and flatten). */
struct jv *jsonata_append(struct jx *x, struct jv *a, struct jv *b);
struct jv *jsonata_as_array(struct jx *x, struct jv *v); /* wrap a non-array */
struct jv *jsonata_deep_clone(struct jx *x, const struct jv *v);

/* Growable string in the arena. */
struct jsb {
    struct jx *x;
    char *p;
    size_t len, cap;
};
void jsonata_sb_add(struct jsb *b, const char *s, size_t n);
void jsonata_sb_adds(struct jsb *b, const char *s);
void jsonata_sb_addc(struct jsb *b, char c);
struct jv *jsonata_sb_str(struct jsb *b);

/* ---- UTF-8 (jsonata_value.c) ------------------------------------------------------- */

size_t jsonata_utf8_count(const char *s, size_t len);
/* Byte offset of code point index i (clamped to len). */
size_t jsonata_utf8_offset(const char *s, size_t len, size_t i);
/* Decodes one code point at s (len > 0); returns bytes used, *cp = 0xFFFD if bad. */
size_t jsonata_utf8_decode(const char *s, size_t len, uint32_t *cp);
size_t jsonata_utf8_encode(uint32_t cp, char *out);

/* ---- Lexer (jsonata_lex.c) --------------------------------------------------------- */

enum jtok_type { T_END, T_OP, T_NAME, T_VAR, T_STR, T_NUM, T_VALUE, T_REGEX };

struct jtok {
    enum jtok_type type;
    const char *op; /* T_OP: "..", "(", "and", ... (static strings) */
    size_t pos;     /* first byte */
    const char *s;  /* T_NAME, T_VAR, T_STR (arena, NUL-terminated), T_REGEX pattern */
    size_t slen;
    double num;
    int val;      /* T_VALUE: 0 false, 1 true, 2 null */
    int re_flags; /* T_REGEX: PCRE2 options */
};

struct jlex {
    const char *src;
    size_t len, pos;
    struct jsonata *j;
};

/* Reads the next token; `operand` is true where a regex literal may start. */
int jsonata_lex_next(struct jlex *l, bool operand, struct jtok *t,
                     struct jsonata_err *err);

/* ---- Parser (jsonata_parse.c) ------------------------------------------------------ */

struct jnode *jsonata_parse(struct jsonata *j, struct jsonata_err *err);
/* Parses a signature "<s-n?:s>" into sig; -1 with *err (offset relative to sig). */
int jsonata_sig_parse(struct jsonata *j, const char *s, size_t len, struct jsig *sig,
                      struct jsonata_err *err);

/* ---- Evaluator (jsonata_eval.c) ---------------------------------------------------- */

struct jv *jsonata_apply(struct jx *x, struct jv *fn, struct jv **args, size_t nargs,
                         struct jv *input, size_t pos);
int jsonata_arity(const struct jv *fn);
struct jv *jsonata_lookup_var(struct jx *x, struct jframe *f, const char *name);
void jsonata_step(struct jx *x); /* counts a step; throws U1001 past the budget */
uint64_t jsonata_rand64(struct jx *x);
/* Evaluates j (compiled by $eval) against input in frame env. */
struct jv *jsonata_eval_sub(struct jx *x, const struct jsonata *j, struct jv *input,
                            struct jframe *env);
/* Runs a regex at code-unit offset `from`; fills *m and returns true on a match. */
struct jsonata_match {
    size_t start, end; /* byte offsets */
    size_t ngroups;
    size_t gs[20], ge[20]; /* group byte ranges; gs == SIZE_MAX when unset */
};
/* The evaluation's PCRE2 match data (64 pairs), made on first use. */
pcre2_match_data *jsonata_md(struct jx *x);
bool jsonata_regex_exec(struct jx *x, const struct jv *re, const char *s, size_t len,
                        size_t from, struct jsonata_match *m);

/* ---- Function library (jsonata_funcs.c) -------------------------------------------- */

typedef struct jv *(*jsonata_fn_impl)(struct jx *x, struct jv **args, size_t nargs,
                                      struct jv *input, size_t pos);

struct jsonata_builtin {
    const char *name;
    const char *sig_text;
    jsonata_fn_impl fn;
    int arity;       /* parameters a higher-order function passes it */
    bool plain_only; /* absent in AWS mode ($eval) */
};

const struct jsonata_builtin *jsonata_builtin_find(const char *name);
/* The function value of builtin b: one immutable value per builtin, never written. */
struct jv *jsonata_builtin_value(const struct jsonata_builtin *b);
/* The compiled signature of builtin b (compiled once, process-wide). */
const struct jsig *jsonata_builtin_sig(const struct jsonata_builtin *b);
/* Checks args against sig, filling context args; returns the validated list. */
struct jv **jsonata_sig_validate(struct jx *x, const struct jsig *sig, const char *name,
                                 struct jv **args, size_t nargs, struct jv *input,
                                 size_t pos, size_t *nout);
/* Sorts v[0..n) stably; cmp returns true when a must go after b. */
void jsonata_msort(struct jx *x, struct jv **v, size_t n,
                   bool (*after)(struct jx *, struct jv *, struct jv *, void *),
                   void *ud);

/* ---- Formatting (jsonata_format.c, jsonata_datetime.c) ----------------------------- */

/* An analysed integer picture ($formatInteger, date/time components). */
enum jint_primary { JI_DECIMAL, JI_LETTERS, JI_ROMAN, JI_WORDS, JI_SEQUENCE };
enum jint_case { JI_LOWER, JI_UPPER, JI_TITLE };

struct jint_sep {
    int pos;
    uint32_t ch;
};

struct jint_fmt {
    enum jint_primary primary;
    enum jint_case tcase;
    bool ordinal;
    uint32_t zero; /* zero digit of the decimal digit family */
    int mandatory, optional;
    bool regular;
    int every;      /* regular grouping interval */
    uint32_t gchar; /* regular grouping character */
    struct jint_sep seps[32];
    int nseps;
    bool bad_family; /* mixed digit families (D3131) */
};

void jsonata_int_analyse(const uint32_t *pic, size_t n, struct jint_fmt *f);
/* Appends value formatted per f; throws D3130/D3131 for unsupported pictures. */
void jsonata_int_format(struct jx *x, struct jsb *b, double value,
                        const struct jint_fmt *f, size_t pos);
/* Appends a PCRE2 pattern matching what f formats (no groups). */
void jsonata_int_regex(struct jx *x, struct jsb *b, const struct jint_fmt *f, size_t pos);
/* Parses text formatted per f. */
double jsonata_int_parse(const struct jint_fmt *f, const char *s, size_t n);
/* Decodes UTF-8 into a new arena array of code points. */
uint32_t *jsonata_utf32(struct jx *x, const char *s, size_t n, size_t *out_n);
void jsonata_sb_addcp(struct jsb *b, uint32_t cp);

struct jv *jsonata_format_number(struct jx *x, double n, const char *pic, size_t plen,
                                 struct jv *opts, size_t pos);
struct jv *jsonata_format_base(struct jx *x, double n, double radix, size_t pos);
struct jv *jsonata_format_integer(struct jx *x, double n, const char *pic, size_t plen,
                                  size_t pos);
struct jv *jsonata_parse_integer(struct jx *x, const char *s, size_t slen,
                                 const char *pic, size_t plen, size_t pos);
struct jv *jsonata_from_millis(struct jx *x, double ms, const struct jv *pic,
                               const struct jv *tz, size_t pos);
struct jv *jsonata_to_millis(struct jx *x, const char *s, size_t slen,
                             const struct jv *pic, size_t pos);

#endif
