/*
 * Shared helpers for cmocka unit tests. Include after <cmocka.h>'s prerequisites.
 */
#ifndef WFGEN_TEST_HELPERS_H
#define WFGEN_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "emit/jout.h"

#include <jansson.h>

/* Compares the compact canonical dump of `actual` with the JSON text `expected`. */
#define assert_json_text(actual, expected)                                               \
    do {                                                                                 \
        json_error_t je_;                                                                \
        json_t *exp_ = json_loads((expected), JSON_DECODE_ANY, &je_);                   \
        if (!exp_)                                                                       \
            fail_msg("bad expected JSON: %s", je_.text);                                 \
        char *a_ = jout_compact(actual);                                                 \
        char *e_ = jout_compact(exp_);                                                   \
        assert_string_equal(a_, e_);                                                     \
        free(a_);                                                                        \
        free(e_);                                                                        \
        json_decref(exp_);                                                               \
    } while (0)

/* Asserts diagnostic i has the given id, line and column. */
#define assert_diag(list, i, id_, line_, col_)                                           \
    do {                                                                                 \
        assert_true((size_t)(i) < (list)->nr);                                           \
        assert_int_equal((list)->v[i].id, (id_));                                        \
        assert_int_equal((list)->v[i].loc.line, (line_));                                \
        assert_int_equal((list)->v[i].loc.col, (col_));                                  \
    } while (0)

#endif
