/*
 * State machine diagrams. A first pass flattens the definition into states and scopes
 * (the machine, each Parallel branch, each Map processor) numbered in definition
 * order; a second pass prints them through one table of format operations per output
 * language, so Mermaid and DOT share every decision except their syntax.
 *
 * Node ids: s<N> is the N-th state (depth first, definition order); z0_in / z0_out are
 * the machine's Start and End; a Parallel or Map state s<N> forks into its nested
 * scopes (clusters z<K>) and they join again at s<N>_join, where its Next and Catch
 * edges leave from. Every edge joins two nodes, which both languages lay out well.
 */
#include "graph.h"

#include "base/xalloc.h"
#include "emit/jout.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX

/* ==== model ====================================================================== */

struct gstate {
    const char *name;
    const json_t *st; /* borrowed state object */
    const char *type; /* "" when missing */
    size_t scope;     /* enclosing scope */
    size_t *subs;     /* nested scopes: Parallel branches or the Map processor */
    size_t nsub, asub;
};

struct gscope {
    const char *start; /* StartAt, or NULL */
    size_t owner;      /* the Parallel or Map state holding it; NONE for the machine */
    size_t branch;     /* 1-based Parallel branch number; 0 otherwise */
    size_t *kids;      /* states in definition order */
    size_t nkids, akids;
};

/* (scope, name) -> state, sorted for bsearch. */
struct gkey {
    size_t scope;
    const char *name;
    size_t st;
};

struct graph;

enum edge_kind { EDGE_PLAIN, EDGE_LABEL, EDGE_CATCH };
enum end_kind { END_STATE, END_IN, END_OUT };

/* One end of an edge: a state, or where a scope begins or ends. */
struct gend {
    enum end_kind kind;
    size_t id; /* state index for END_STATE, scope index otherwise */
};

/*
 * The syntax of one output language. Labels and titles arrive escaped; node ids come
 * from end_id() and are the same in both languages.
 */
struct gfmt {
    const char *br; /* line break inside a label */
    void (*escape)(struct strbuf *sb, const char *s);
    void (*begin)(struct graph *g, const char *title);
    void (*end)(struct graph *g);
    void (*marker)(struct graph *g, int depth, bool out); /* the machine's Start/End */
    void (*node)(struct graph *g, int depth, size_t st, const char *label);
    void (*join)(struct graph *g, int depth, size_t st);
    void (*open)(struct graph *g, int depth, size_t scope, const char *title);
    void (*close)(struct graph *g, int depth);
    void (*edge)(struct graph *g, int depth, const char *from, const char *to,
                 enum edge_kind kind, const char *label);
};

struct graph {
    struct gstate *st;
    size_t nst, ast;
    struct gscope *sc;
    size_t nsc, asc;
    struct gkey *keys; /* nst entries */
    const struct gfmt *fmt;
    struct strbuf *out;
};

static void add_scope(struct graph *g, const json_t *machine, size_t owner,
                      size_t branch);

/* Records the scopes nested in state i: Parallel branches, a Map's processor. */
static void add_nested(struct graph *g, size_t i)
{
    const json_t *st = g->st[i].st;
    const char *type = g->st[i].type;
    const json_t *branches = NULL, *proc = NULL;
    if (!strcmp(type, "Parallel")) {
        branches = json_object_get(st, "Branches");
    } else if (!strcmp(type, "Map")) {
        proc = json_object_get(st, "ItemProcessor");
        if (!proc)
            proc = json_object_get(st, "Iterator");
    }
    size_t n = branches ? json_array_size(branches) : proc ? 1 : 0;
    for (size_t k = 0; k < n; k++) {
        const json_t *m = branches ? json_array_get(branches, k) : proc;
        if (!json_is_object(m) || !json_is_object(json_object_get(m, "States")))
            continue;
        VEC_GROW(g->st[i].subs, g->st[i].nsub + 1, g->st[i].asub);
        g->st[i].subs[g->st[i].nsub++] = g->nsc;
        add_scope(g, m, i, branches ? k + 1 : 0);
    }
}

/* Adds a scope and, depth first in definition order, every state inside it. */
static void add_scope(struct graph *g, const json_t *machine, size_t owner, size_t branch)
{
    VEC_GROW(g->sc, g->nsc + 1, g->asc);
    size_t z = g->nsc++;
    g->sc[z] = (struct gscope){
        .start = json_string_value(json_object_get(machine, "StartAt")),
        .owner = owner,
        .branch = branch,
    };
    json_t *states = json_object_get(machine, "States");
    const char *name;
    json_t *st;
    json_object_foreach(states, name, st)
    {
        if (!json_is_object(st))
            continue;
        VEC_GROW(g->st, g->nst + 1, g->ast);
        size_t i = g->nst++;
        const char *type = json_string_value(json_object_get(st, "Type"));
        g->st[i] = (struct gstate){name, st, type ? type : "", z, NULL, 0, 0};
        struct gscope *sc = &g->sc[z];
        VEC_GROW(sc->kids, sc->nkids + 1, sc->akids);
        sc->kids[sc->nkids++] = i;
        add_nested(g, i);
    }
}

static int key_cmp(const void *pa, const void *pb)
{
    const struct gkey *a = pa, *b = pb;
    if (a->scope != b->scope)
        return a->scope < b->scope ? -1 : 1;
    return strcmp(a->name, b->name);
}

static void index_states(struct graph *g)
{
    g->keys = xmalloc((g->nst ? g->nst : 1) * sizeof(*g->keys));
    for (size_t i = 0; i < g->nst; i++)
        g->keys[i] = (struct gkey){g->st[i].scope, g->st[i].name, i};
    qsort(g->keys, g->nst, sizeof(*g->keys), key_cmp);
}

/* The state called `name` (may be NULL) in scope z, or NONE. */
static size_t find(const struct graph *g, size_t z, const char *name)
{
    struct gkey k = {z, name, 0};
    if (!name || !g->nst)
        return NONE;
    const struct gkey *hit = bsearch(&k, g->keys, g->nst, sizeof(k), key_cmp);
    return hit ? hit->st : NONE;
}

static void graph_release(struct graph *g)
{
    for (size_t i = 0; i < g->nst; i++)
        free(g->st[i].subs);
    for (size_t z = 0; z < g->nsc; z++)
        free(g->sc[z].kids);
    free(g->st);
    free(g->sc);
    free(g->keys);
}

/* ==== Choice rules ================================================================ */

/* Data-test comparators and the operator each is drawn with (ASL's full list). */
static const struct {
    const char *name, *op;
} comparators[] = {
    {"StringEquals", "=="},
    {"StringLessThan", "<"},
    {"StringGreaterThan", ">"},
    {"StringLessThanEquals", "<="},
    {"StringGreaterThanEquals", ">="},
    {"StringMatches", "matches"},
    {"NumericEquals", "=="},
    {"NumericLessThan", "<"},
    {"NumericGreaterThan", ">"},
    {"NumericLessThanEquals", "<="},
    {"NumericGreaterThanEquals", ">="},
    {"BooleanEquals", "=="},
    {"TimestampEquals", "=="},
    {"TimestampLessThan", "<"},
    {"TimestampGreaterThan", ">"},
    {"TimestampLessThanEquals", "<="},
    {"TimestampGreaterThanEquals", ">="},
};

/* Type tests: true reads "is X", false "is not X". */
static const struct {
    const char *name, *what;
} type_tests[] = {
    {"IsNull", "null"},     {"IsPresent", "present"}, {"IsNumeric", "numeric"},
    {"IsString", "string"}, {"IsBoolean", "boolean"}, {"IsTimestamp", "timestamp"},
};

static bool rule_is_compound(const json_t *r)
{
    return json_is_array(json_object_get(r, "And")) ||
           json_is_array(json_object_get(r, "Or"));
}

/* A JSONata Condition without its {% %} delimiters. */
static void add_condition(struct strbuf *sb, const char *c)
{
    size_t n = strlen(c);
    if (n >= 4 && !strncmp(c, "{%", 2) && !strcmp(c + n - 2, "%}")) {
        c += 2;
        n -= 4;
    }
    strbuf_add(sb, c, n);
}

/* A data test: "<Variable> <op> <value>"; returns false when none matches. */
static bool add_comparison(struct strbuf *sb, const json_t *r)
{
    const char *var = json_string_value(json_object_get(r, "Variable"));
    if (!var)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(type_tests); i++) {
        const json_t *v = json_object_get(r, type_tests[i].name);
        if (json_is_boolean(v)) {
            strbuf_addf(sb, "%s is %s%s", var, json_is_true(v) ? "" : "not ",
                        type_tests[i].what);
            return true;
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(comparators); i++) {
        char path_key[64];
        snprintf(path_key, sizeof(path_key), "%sPath", comparators[i].name);
        const json_t *v = json_object_get(r, comparators[i].name);
        const char *path = json_string_value(json_object_get(r, path_key));
        if (v) {
            char *text = jout_compact(v);
            strbuf_addf(sb, "%s %s %s", var, comparators[i].op, text);
            free(text);
            return true;
        }
        if (path) {
            strbuf_addf(sb, "%s %s %s", var, comparators[i].op, path);
            return true;
        }
    }
    return false;
}

static void add_rule(struct strbuf *sb, const json_t *r);

/* "a and b and c"; compound operands get parentheses. */
static void add_junction(struct strbuf *sb, const json_t *list, const char *word)
{
    if (!json_array_size(list)) {
        strbuf_addch(sb, '?');
        return;
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *r = json_array_get(list, i);
        bool paren = rule_is_compound(r);
        if (i)
            strbuf_addf(sb, " %s ", word);
        strbuf_adds(sb, paren ? "(" : "");
        add_rule(sb, r);
        strbuf_adds(sb, paren ? ")" : "");
    }
}

static void add_rule(struct strbuf *sb, const json_t *r)
{
    const json_t *v;
    if (!json_is_object(r)) {
        strbuf_addch(sb, '?');
    } else if (json_is_string(v = json_object_get(r, "Condition"))) {
        add_condition(sb, json_string_value(v));
    } else if (json_is_array(v = json_object_get(r, "And"))) {
        add_junction(sb, v, "and");
    } else if (json_is_array(v = json_object_get(r, "Or"))) {
        add_junction(sb, v, "or");
    } else if (json_is_object(v = json_object_get(r, "Not"))) {
        strbuf_adds(sb, "not (");
        add_rule(sb, v);
        strbuf_addch(sb, ')');
    } else if (!add_comparison(sb, r)) {
        strbuf_addch(sb, '?');
    }
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Collapses whitespace runs, trims, and cuts after GRAPH_LABEL_MAX characters. */
static char *tidy(const char *s)
{
    struct strbuf sb = STRBUF_INIT;
    size_t chars = 0;
    bool gap = false;
    for (; *s; s++) {
        if (is_space(*s)) {
            gap = sb.len > 0;
            continue;
        }
        bool lead = ((unsigned char)*s & 0xC0) != 0x80;
        if (lead && chars + gap >= GRAPH_LABEL_MAX) {
            strbuf_adds(&sb, "...");
            break;
        }
        if (gap)
            strbuf_addch(&sb, ' ');
        chars += lead + gap;
        gap = false;
        strbuf_addch(&sb, *s);
    }
    return strbuf_detach(&sb, NULL);
}

char *graph_rule_text(const json_t *rule)
{
    struct strbuf sb = STRBUF_INIT;
    add_rule(&sb, rule);
    char *text = tidy(sb.buf);
    strbuf_release(&sb);
    return text;
}

/* ==== labels ======================================================================= */

/* Appends `items` (an array of strings) joined by ", ". */
static void add_names(struct strbuf *sb, const json_t *items)
{
    for (size_t i = 0; i < json_array_size(items); i++) {
        const char *s = json_string_value(json_array_get(items, i));
        if (s)
            strbuf_addf(sb, "%s%s", sb->len ? ", " : "", s);
    }
}

/* Appends one escaped label line, after a line break unless it is the first. */
static void label_line(const struct graph *g, struct strbuf *label, const char *text,
                       bool first)
{
    if (!first)
        strbuf_adds(label, g->fmt->br);
    g->fmt->escape(label, text);
}

/* The kind shown after a Parallel or Map state's name, or NULL. */
static const char *kind_note(const struct gstate *s)
{
    if (!strcmp(s->type, "Parallel"))
        return "Parallel";
    if (strcmp(s->type, "Map"))
        return NULL;
    const json_t *proc = json_object_get(s->st, "ItemProcessor");
    const char *mode = json_string_value(
        json_object_get(json_object_get(proc, "ProcessorConfig"), "Mode"));
    return mode && !strcmp(mode, "DISTRIBUTED") ? "Map, distributed" : "Map";
}

/* The escaped label of state i: its name (and kind), then one line per retrier. */
static char *state_label(const struct graph *g, size_t i)
{
    const struct gstate *s = &g->st[i];
    struct strbuf label = STRBUF_INIT, line = STRBUF_INIT;
    const char *kind = kind_note(s);
    strbuf_adds(&line, s->name);
    if (kind)
        strbuf_addf(&line, " (%s)", kind);
    label_line(g, &label, line.buf, true);
    const json_t *retry = json_object_get(s->st, "Retry");
    for (size_t k = 0; k < json_array_size(retry); k++) {
        const json_t *r = json_array_get(retry, k);
        const json_t *max = json_object_get(r, "MaxAttempts");
        strbuf_reset(&line);
        add_names(&line, json_object_get(r, "ErrorEquals"));
        char *errors = strbuf_detach(&line, NULL);
        strbuf_addf(&line, "retry \xc3\x97%lld%s%s",
                    json_is_integer(max) ? (long long)json_integer_value(max) : 3LL,
                    *errors ? ": " : "", errors);
        free(errors);
        label_line(g, &label, line.buf, false);
    }
    strbuf_release(&line);
    return strbuf_detach(&label, NULL);
}

/* The escaped title of nested scope z: "<state>: branch N" or "<state>: item processor".
 */
static char *scope_title(const struct graph *g, size_t z)
{
    struct strbuf title = STRBUF_INIT, text = STRBUF_INIT;
    const struct gscope *sc = &g->sc[z];
    if (sc->branch)
        strbuf_addf(&text, "%s: branch %zu", g->st[sc->owner].name, sc->branch);
    else
        strbuf_addf(&text, "%s: item processor", g->st[sc->owner].name);
    g->fmt->escape(&title, text.buf);
    strbuf_release(&text);
    return strbuf_detach(&title, NULL);
}

/*
 * The node id of an edge end. A Parallel or Map state is entered at its own node and
 * left from its join node; a nested scope begins at its owner and ends at its join.
 */
static void end_id(const struct graph *g, struct strbuf *sb, struct gend e, bool tail)
{
    size_t owner = e.kind == END_STATE ? NONE : g->sc[e.id].owner;
    if (e.kind == END_STATE)
        strbuf_addf(sb, tail && g->st[e.id].nsub ? "s%zu_join" : "s%zu", e.id);
    else if (owner == NONE)
        strbuf_adds(sb, e.kind == END_IN ? "z0_in" : "z0_out");
    else
        strbuf_addf(sb, e.kind == END_IN ? "s%zu" : "s%zu_join", owner);
}

/* ==== Mermaid ====================================================================== */

static void indent(struct graph *g, int depth)
{
    strbuf_addrep(g->out, ' ', (size_t)depth * 4);
}

/*
 * Inside a quoted Mermaid string, `"` ends the string and `#name;` is an entity, so
 * both are written as entities, as are HTML's specials and the characters that open
 * Mermaid's other label syntaxes.
 */
static void mermaid_escape(struct strbuf *sb, const char *s)
{
    static const char *const ent[128] = {
        ['"'] = "#quot;", ['#'] = "#35;",  ['<'] = "#lt;", ['>'] = "#gt;",
        ['&'] = "#amp;",  ['|'] = "#124;", ['`'] = "#96;",
    };
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 128 && ent[c])
            strbuf_adds(sb, ent[c]);
        else
            strbuf_addch(sb, c < 0x20 || c == 0x7f ? ' ' : *s);
    }
}

/* Node shapes per state type: Mermaid brackets and DOT attributes. */
static const struct {
    const char *type, *open, *close, *dot;
} shapes[] = {
    {"Task", "[", "]", "shape=box"},
    {"Pass", "(", ")", "shape=box, style=rounded"},
    {"Choice", "{", "}", "shape=diamond"},
    {"Wait", "{{", "}}", "shape=hexagon"},
    {"Succeed", "([", "])", "shape=oval"},
    {"Fail", ">", "]", "shape=octagon"},
    {"Parallel", "[[", "]]", "shape=box, peripheries=2"},
    {"Map", "[[", "]]", "shape=box, peripheries=2"},
};

static size_t shape_of(const char *type)
{
    for (size_t i = 0; i < ARRAY_SIZE(shapes); i++)
        if (!strcmp(type, shapes[i].type))
            return i;
    return 0; /* an unknown type is drawn like a Task */
}

static void mermaid_begin(struct graph *g, const char *title)
{
    (void)title;
    strbuf_adds(g->out, "flowchart TD\n");
}

static void mermaid_end(struct graph *g)
{
    (void)g;
}

static void mermaid_marker(struct graph *g, int depth, bool out)
{
    indent(g, depth);
    strbuf_adds(g->out, out ? "z0_out(((\"End\")))\n" : "z0_in((\"Start\"))\n");
}

static void mermaid_node(struct graph *g, int depth, size_t i, const char *label)
{
    size_t k = shape_of(g->st[i].type);
    indent(g, depth);
    strbuf_addf(g->out, "s%zu%s\"%s\"%s\n", i, shapes[k].open, label, shapes[k].close);
}

static void mermaid_join(struct graph *g, int depth, size_t i)
{
    indent(g, depth);
    strbuf_addf(g->out, "s%zu_join((\" \"))\n", i);
}

static void mermaid_open(struct graph *g, int depth, size_t z, const char *title)
{
    indent(g, depth);
    strbuf_addf(g->out, "subgraph z%zu[\"%s\"]\n", z, title);
}

static void mermaid_close(struct graph *g, int depth)
{
    indent(g, depth);
    strbuf_adds(g->out, "end\n");
}

static void mermaid_edge(struct graph *g, int depth, const char *from, const char *to,
                         enum edge_kind kind, const char *label)
{
    indent(g, depth);
    if (kind == EDGE_PLAIN)
        strbuf_addf(g->out, "%s --> %s\n", from, to);
    else
        strbuf_addf(g->out, "%s %s|\"%s\"| %s\n", from,
                    kind == EDGE_CATCH ? "-.->" : "-->", label, to);
}

static const struct gfmt mermaid = {
    .br = "<br/>",
    .escape = mermaid_escape,
    .begin = mermaid_begin,
    .end = mermaid_end,
    .marker = mermaid_marker,
    .node = mermaid_node,
    .join = mermaid_join,
    .open = mermaid_open,
    .close = mermaid_close,
    .edge = mermaid_edge,
};

/* ==== Graphviz DOT ================================================================= */

/* Inside a DOT string only `"` and `\` are special ("\n" is our line break). */
static void dot_escape(struct strbuf *sb, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            strbuf_addch(sb, '\\');
        strbuf_addch(sb, c < 0x20 || c == 0x7f ? ' ' : *s);
    }
}

static void dot_begin(struct graph *g, const char *title)
{
    strbuf_adds(g->out, "digraph \"");
    dot_escape(g->out, title);
    strbuf_adds(g->out, "\" {\n");
}

static void dot_end(struct graph *g)
{
    strbuf_adds(g->out, "}\n");
}

static void dot_marker(struct graph *g, int depth, bool out)
{
    indent(g, depth);
    strbuf_adds(g->out, out ? "z0_out [label=\"End\", shape=doublecircle];\n"
                            : "z0_in [label=\"Start\", shape=circle];\n");
}

static void dot_node(struct graph *g, int depth, size_t i, const char *label)
{
    indent(g, depth);
    strbuf_addf(g->out, "s%zu [label=\"%s\", %s];\n", i, label,
                shapes[shape_of(g->st[i].type)].dot);
}

static void dot_join(struct graph *g, int depth, size_t i)
{
    indent(g, depth);
    strbuf_addf(g->out, "s%zu_join [label=\"\", shape=point];\n", i);
}

static void dot_open(struct graph *g, int depth, size_t z, const char *title)
{
    indent(g, depth);
    strbuf_addf(g->out, "subgraph cluster_z%zu {\n", z);
    indent(g, depth + 1);
    strbuf_addf(g->out, "label=\"%s\";\n", title);
    indent(g, depth + 1);
    strbuf_adds(g->out, "style=\"rounded,dashed\";\n");
}

static void dot_close(struct graph *g, int depth)
{
    indent(g, depth);
    strbuf_adds(g->out, "}\n");
}

static void dot_edge(struct graph *g, int depth, const char *from, const char *to,
                     enum edge_kind kind, const char *label)
{
    indent(g, depth);
    strbuf_addf(g->out, "%s -> %s", from, to);
    if (kind != EDGE_PLAIN)
        strbuf_addf(g->out, " [label=\"%s\"%s]", label,
                    kind == EDGE_CATCH ? ", style=dashed" : "");
    strbuf_adds(g->out, ";\n");
}

static const struct gfmt dot = {
    .br = "\\n",
    .escape = dot_escape,
    .begin = dot_begin,
    .end = dot_end,
    .marker = dot_marker,
    .node = dot_node,
    .join = dot_join,
    .open = dot_open,
    .close = dot_close,
    .edge = dot_edge,
};

/* ==== rendering ==================================================================== */

static struct gend at_state(size_t i)
{
    return (struct gend){END_STATE, i};
}

/* Draws one edge; `text` (may be NULL) is escaped here. */
static void edge(struct graph *g, int depth, struct gend a, struct gend b,
                 enum edge_kind kind, const char *text)
{
    struct strbuf from = STRBUF_INIT, to = STRBUF_INIT, label = STRBUF_INIT;
    end_id(g, &from, a, true);
    end_id(g, &to, b, false);
    if (text)
        g->fmt->escape(&label, text);
    g->fmt->edge(g, depth, from.buf, to.buf, kind, label.buf);
    strbuf_release(&from);
    strbuf_release(&to);
    strbuf_release(&label);
}

/* Draws an edge from state i to the state named `target` in the same scope. */
static void edge_to(struct graph *g, int depth, size_t i, const json_t *target,
                    enum edge_kind kind, const char *text)
{
    size_t t = find(g, g->st[i].scope, json_string_value(target));
    if (t != NONE)
        edge(g, depth, at_state(i), at_state(t), kind, text);
}

static void choice_edges(struct graph *g, int depth, size_t i)
{
    const json_t *choices = json_object_get(g->st[i].st, "Choices");
    for (size_t k = 0; k < json_array_size(choices); k++) {
        const json_t *rule = json_array_get(choices, k);
        char *text = graph_rule_text(rule);
        edge_to(g, depth, i, json_object_get(rule, "Next"), EDGE_LABEL, text);
        free(text);
    }
    edge_to(g, depth, i, json_object_get(g->st[i].st, "Default"), EDGE_LABEL, "default");
}

static bool is_terminal(const struct gstate *s)
{
    return json_is_true(json_object_get(s->st, "End")) || !strcmp(s->type, "Succeed") ||
           !strcmp(s->type, "Fail");
}

/*
 * Every edge leaving state i, in a fixed order: transitions, then catchers. The edge
 * to the scope's end is left to the caller when `with_end` is false.
 */
static void state_edges(struct graph *g, int depth, size_t i, bool with_end)
{
    const struct gstate *s = &g->st[i];
    if (!strcmp(s->type, "Choice"))
        choice_edges(g, depth, i);
    else if (is_terminal(s) && with_end)
        edge(g, depth, at_state(i), (struct gend){END_OUT, s->scope}, EDGE_PLAIN, NULL);
    else if (!is_terminal(s))
        edge_to(g, depth, i, json_object_get(s->st, "Next"), EDGE_PLAIN, NULL);
    const json_t *catchers = json_object_get(s->st, "Catch");
    for (size_t k = 0; k < json_array_size(catchers); k++) {
        const json_t *c = json_array_get(catchers, k);
        struct strbuf errors = STRBUF_INIT;
        add_names(&errors, json_object_get(c, "ErrorEquals"));
        edge_to(g, depth, i, json_object_get(c, "Next"), EDGE_CATCH,
                errors.len ? errors.buf : "catch");
        strbuf_release(&errors);
    }
}

/* The edges where scope z begins (from its owner) and ends (at its owner's join). */
static void boundary_edges(struct graph *g, size_t z, int depth)
{
    const struct gscope *sc = &g->sc[z];
    size_t first = find(g, z, sc->start);
    if (first != NONE)
        edge(g, depth, (struct gend){END_IN, z}, at_state(first), EDGE_PLAIN, NULL);
    for (size_t k = 0; k < sc->nkids; k++)
        if (is_terminal(&g->st[sc->kids[k]]))
            edge(g, depth, at_state(sc->kids[k]), (struct gend){END_OUT, z}, EDGE_PLAIN,
                 NULL);
}

static void render_scope(struct graph *g, size_t z, int depth);

/*
 * A state's node; for a Parallel or Map state also its join node and one cluster per
 * branch or processor. Both languages put a node in the (first) cluster whose block
 * mentions it, so the edges into and out of a cluster are written after it, at the
 * level that holds both of their ends.
 */
static void render_state(struct graph *g, size_t i, int depth)
{
    const struct gstate *s = &g->st[i];
    char *label = state_label(g, i);
    g->fmt->node(g, depth, i, label);
    free(label);
    if (!s->nsub)
        return;
    g->fmt->join(g, depth, i);
    for (size_t k = 0; k < s->nsub; k++) {
        char *title = scope_title(g, s->subs[k]);
        g->fmt->open(g, depth, s->subs[k], title);
        free(title);
        render_scope(g, s->subs[k], depth + 1);
        g->fmt->close(g, depth);
        boundary_edges(g, s->subs[k], depth);
    }
}

/*
 * The states of scope z, then the edges between them; the machine's own scope also
 * draws Start and End and the edges to them.
 */
static void render_scope(struct graph *g, size_t z, int depth)
{
    const struct gscope *sc = &g->sc[z];
    if (!z)
        g->fmt->marker(g, depth, false);
    for (size_t k = 0; k < sc->nkids; k++)
        render_state(g, sc->kids[k], depth);
    if (!z)
        g->fmt->marker(g, depth, true);
    size_t first = find(g, z, sc->start);
    if (!z && first != NONE)
        edge(g, depth, (struct gend){END_IN, z}, at_state(first), EDGE_PLAIN, NULL);
    for (size_t k = 0; k < sc->nkids; k++)
        state_edges(g, depth, sc->kids[k], !z);
}

int graph_format_parse(const char *name, enum graph_format *out)
{
    static const struct {
        const char *name;
        enum graph_format fmt;
    } names[] = {{"mermaid", GRAPH_MERMAID}, {"dot", GRAPH_DOT}};
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(name, names[i].name)) {
            *out = names[i].fmt;
            return 0;
        }
    }
    return -1;
}

int graph_render(const json_t *asl, enum graph_format fmt, const char *title,
                 struct strbuf *out)
{
    if (!json_is_object(json_object_get(asl, "States")))
        return -1;
    struct graph g = {.fmt = fmt == GRAPH_DOT ? &dot : &mermaid, .out = out};
    add_scope(&g, asl, NONE, 0);
    index_states(&g);
    g.fmt->begin(&g, title ? title : "");
    render_scope(&g, 0, 1);
    g.fmt->end(&g);
    graph_release(&g);
    return 0;
}
