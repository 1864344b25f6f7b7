/* Option parsing and --help from one table. */
#include "opt.h"

#include "base/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void opt_usage(const struct opt_cmd *cmd, FILE *out)
{
    fprintf(out, "usage: wfgen %s %s\n\n%s\n\noptions:\n", cmd->name, cmd->synopsis,
            cmd->summary);
    for (int i = 0; i < cmd->nopts; i++) {
        const struct opt *o = &cmd->opts[i];
        char left[64];
        snprintf(left, sizeof(left), "%s%c%s--%s%s%s", o->short_name ? "-" : "",
                 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ",
                 o->long_name, o->argname ? " " : "", o->argname ? o->argname : "");
        fprintf(out, "  %-28s %s\n", o->short_name ? left : left + 1, o->help);
    }
    fprintf(out, "  %-28s %s\n", "-h, --help", "show this help");
}

static int usage_error(const struct opt_cmd *cmd, const char *what, const char *arg)
{
    fprintf(stderr, "wfgen %s: %s%s%s%s\n", cmd->name, what, arg ? " '" : "",
            arg ? arg : "", arg ? "'" : "");
    fprintf(stderr, "usage: wfgen %s %s\n", cmd->name, cmd->synopsis);
    return 2;
}

static const struct opt *find_opt(const struct opt_cmd *cmd, const char *name, char shrt)
{
    for (int i = 0; i < cmd->nopts; i++) {
        const struct opt *o = &cmd->opts[i];
        if (name ? !strcmp(o->long_name, name) : o->short_name == shrt)
            return o;
    }
    return NULL;
}

static int set_value(const struct opt_cmd *cmd, const struct opt *o, const char *arg)
{
    switch (o->type) {
    case OPT_BOOL:
        *(bool *)o->value = true;
        return -1;
    case OPT_STRING:
        *(const char **)o->value = arg;
        return -1;
    case OPT_INT: {
        char *end;
        errno = 0;
        long v = strtol(arg, &end, 10);
        if (errno || !*arg || *end)
            return usage_error(cmd, "option needs a whole number, got", arg);
        *(long *)o->value = v;
        return -1;
    }
    case OPT_LIST: {
        struct opt_list *l = o->value;
        l->v = xrealloc(l->v, (size_t)(l->nr + 1) * sizeof(*l->v));
        l->v[l->nr++] = arg;
        return -1;
    }
    }
    BUG("unknown option type");
}

int opt_parse(const struct opt_cmd *cmd, int argc, char **argv, int *nargs)
{
    int n = 0;
    bool only_args = false;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (only_args || a[0] != '-' || !a[1]) {
            argv[n++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_args = true;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            opt_usage(cmd, stdout);
            return 0;
        }
        const struct opt *o;
        char *inline_arg = NULL;
        if (a[1] == '-') {
            char *eq = strchr(a + 2, '=');
            if (eq) {
                *eq = '\0';
                inline_arg = eq + 1;
            }
            o = find_opt(cmd, a + 2, 0);
        } else {
            o = a[2] ? NULL : find_opt(cmd, NULL, a[1]);
        }
        if (!o)
            return usage_error(cmd, "unknown option", a);
        const char *arg = NULL;
        if (o->type != OPT_BOOL) {
            if (inline_arg)
                arg = inline_arg;
            else if (i + 1 < argc)
                arg = argv[++i];
            else
                return usage_error(cmd, "missing argument for option", a);
        } else if (inline_arg) {
            return usage_error(cmd, "no argument allowed for option", a);
        }
        int rc = set_value(cmd, o, arg);
        if (rc >= 0)
            return rc;
    }
    if (n < cmd->min_args)
        return usage_error(cmd, "missing argument", NULL);
    if (cmd->max_args >= 0 && n > cmd->max_args)
        return usage_error(cmd, "unexpected argument", argv[n - 1]);
    *nargs = n;
    return -1;
}

void opt_list_release(struct opt_list *l)
{
    free(l->v);
    l->v = NULL;
    l->nr = 0;
}
