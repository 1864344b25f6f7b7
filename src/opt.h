/*
 * Option tables: one table both parses a command's flags and prints its --help, so the
 * two never disagree (after git's parse-options).
 */
#ifndef WFGEN_OPT_H
#define WFGEN_OPT_H

#include <stdbool.h>
#include <stdio.h>

enum opt_type {
    OPT_BOOL,   /* bool *: set to true */
    OPT_STRING, /* const char **: the argument */
    OPT_INT,    /* long *: a decimal argument */
    OPT_LIST,   /* struct opt_list *: repeatable string */
};

struct opt_list {
    const char **v;
    int nr;
};

struct opt {
    const char *long_name; /* "check" for --check */
    char short_name;       /* 'c' for -c, or 0 */
    enum opt_type type;
    void *value;
    const char *argname; /* "FILE"; NULL for OPT_BOOL */
    const char *help;
};

struct opt_cmd {
    const char *name;     /* "build" */
    const char *synopsis; /* "[-c FILE] [-o DIR] [--check]" */
    const char *summary;  /* one line */
    const struct opt *opts;
    int nopts;
    int min_args, max_args; /* positional arguments; max -1 = unbounded */
};

/*
 * Parses argv (argv[0] is the command name). Positional arguments are compacted to the
 * front of argv; their count goes to *nargs. Returns -1 to continue, or an exit code:
 * 0 after printing --help, 2 after a usage error (short usage on stderr).
 */
int opt_parse(const struct opt_cmd *cmd, int argc, char **argv, int *nargs);
void opt_usage(const struct opt_cmd *cmd, FILE *out);
void opt_list_release(struct opt_list *l);

#endif
