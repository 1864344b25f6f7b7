/*
 * `wfgen graph (KEY | -d FILE) [--format mermaid|dot] [-c FILE]`: the compiled state
 * machine of a catalog workflow (expanded, validated and wrapped as `build` does), or
 * any ASL file, as a Mermaid flowchart or a Graphviz DOT graph on stdout.
 */
#include "asl/validate.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "catalog.h"
#include "build.h"
#include "cmd.h"
#include "graph.h"
#include "yload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct graph_args {
    const char *catalog, *def, *format;
    enum graph_format fmt;
};

struct graph_ctx {
    struct diag_list dl;
    struct catalog cat;
    bool have_cat;
    struct ydoc def;
    bool have_def;
    char *title;
};

/* Prints the diagnostics gathered so far and returns WF_EXIT_INVALID. */
static int invalid(struct graph_ctx *gc)
{
    diag_print(&gc->dl, DIAG_TEXT, stderr);
    return WF_EXIT_INVALID;
}

/* Loads a definition file into gc->def; returns 0 or an exit code. */
static int load_file(struct graph_ctx *gc, const char *path)
{
    int r = yload_file(&gc->def, path, &gc->dl);
    if (r == -2) {
        fprintf(stderr, "wfgen graph: cannot read '%s': %s\n", path, strerror(errno));
        return WF_EXIT_SYSTEM;
    }
    if (r)
        return invalid(gc);
    gc->have_def = true;
    return 0;
}

/* The workflow KEY, compiled as build's compile_workflow does (minus IAM and emit). */
static int load_workflow(struct graph_ctx *gc, const struct graph_args *a,
                         const char *key)
{
    const struct workflow *wf;
    gc->have_cat = true;
    int r = cmd_find_workflow("graph", a->catalog, key, &gc->cat, &gc->dl, &wf);
    if (r)
        return r;
    /* The deployed machine: expanded, validated and wrapped, exactly as `build` emits. */
    r = build_load_definition(&gc->cat, wf, &gc->def, &gc->dl);
    if (r == -2)
        return WF_EXIT_SYSTEM;
    if (r)
        return invalid(gc); /* only errors stop us; warnings are `validate`'s business */
    gc->have_def = true;
    gc->title = xstrdup(key);
    return 0;
}

/* Any ASL file given with -d; ${...} placeholders are left as they are. */
static int load_standalone(struct graph_ctx *gc, const char *path)
{
    int r = load_file(gc, path);
    if (r)
        return r;
    struct asl_opts aopts = {.allow_placeholders = true};
    if (asl_validate(&gc->def, gc->def.root, &aopts, &gc->dl))
        return invalid(gc);
    gc->title = fs_definition_stem(path);
    return 0;
}

static int render(struct graph_ctx *gc, enum graph_format fmt)
{
    struct strbuf sb = STRBUF_INIT;
    if (graph_render(gc->def.root, fmt, gc->title, &sb)) {
        fprintf(stderr, "wfgen graph: the definition has no States object\n");
        strbuf_release(&sb);
        return WF_EXIT_INVALID;
    }
    fwrite(sb.buf, 1, sb.len, stdout);
    strbuf_release(&sb);
    return WF_EXIT_OK;
}

int cmd_graph(int argc, char **argv)
{
    struct graph_args a = {.catalog = "workflows.yaml", .format = "mermaid"};
    const struct opt opts[] = {
        {"catalog", 'c', OPT_STRING, &a.catalog, "FILE",
         "catalog file (default: ./workflows.yaml)"},
        {"definition", 'd', OPT_STRING, &a.def, "FILE",
         "draw this ASL file (JSON or YAML) instead of a catalog workflow"},
        {"format", 0, OPT_STRING, &a.format, "FMT",
         "mermaid (default) or dot (Graphviz)"},
    };
    const struct opt_cmd cmd = {
        "graph",
        "(KEY | -d FILE) [--format mermaid|dot] [-c FILE]",
        "Draw a state machine: a catalog workflow as `build` compiles it, or any ASL "
        "file.\n"
        "Shapes show state types; Choice edges carry their rules, Catch edges are "
        "dashed\n"
        "and name their errors, retriers are listed on their state, and Parallel\n"
        "branches and Map processors are clusters between their state and a join node.\n"
        "Render with GitHub or mermaid-cli (mermaid), or `dot -Tsvg` (dot).",
        opts,
        (int)ARRAY_SIZE(opts),
        0,
        1};
    int nargs, code = opt_parse(&cmd, argc, argv, &nargs);
    if (code >= 0)
        return code;
    if ((nargs == 1) == (a.def != NULL)) {
        fputs("wfgen graph: give a workflow KEY or -d FILE (one of them)\n", stderr);
        return WF_EXIT_USAGE;
    }
    if (graph_format_parse(a.format, &a.fmt)) {
        fprintf(stderr, "wfgen graph: unknown format '%s' (mermaid or dot)\n", a.format);
        return WF_EXIT_USAGE;
    }
    struct graph_ctx gc = {.dl = DIAG_LIST_INIT};
    code = nargs ? load_workflow(&gc, &a, argv[0]) : load_standalone(&gc, a.def);
    if (!code)
        code = render(&gc, a.fmt);
    if (gc.have_def)
        ydoc_release(&gc.def);
    if (gc.have_cat)
        catalog_release(&gc.cat);
    diag_release(&gc.dl);
    free(gc.title);
    return code;
}
