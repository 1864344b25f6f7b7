/*
 * Fuzz target: the mock-config loader must accept or reject any JSON document with a
 * message, and every selection and lookup on an accepted one must stay in bounds.
 */
#include "interp/mock.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Selects every test case of every state machine and looks up each named state. */
static void exercise(struct mock *m)
{
    const char *sm_name, *case_name, *state;
    json_t *sm, *tc, *rn;
    json_object_foreach(json_object_get(m->doc, "StateMachines"), sm_name, sm)
    {
        json_object_foreach(json_object_get(sm, "TestCases"), case_name, tc)
        {
            char *err = NULL;
            if (mock_select(m, sm_name, case_name, &err)) {
                free(err);
                continue;
            }
            json_object_foreach(tc, state, rn)
            {
                struct mock_answer a;
                for (unsigned long k = 0; k < 4; k++)
                    mock_lookup(m, state, k, &a);
                mock_lookup(m, state, 100000000UL, &a);
            }
        }
    }
    char *err = NULL;
    if (mock_select(m, NULL, NULL, &err))
        free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    if (!doc)
        return 0;
    struct mock m;
    char *err = NULL;
    if (mock_parse(&m, doc, &err) == 0) {
        exercise(&m);
        mock_release(&m);
    } else {
        free(err);
    }
    json_decref(doc);
    return 0;
}
