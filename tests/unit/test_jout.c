/*
 * Unit tests for the canonical JSON writer (src/emit/jout.c): its bytes must equal
 * jansson's json_dump with the same flags, on hand-picked edge cases and on a few
 * thousand random documents from a fixed seed.
 */
#include "helpers.h"

#include <math.h>

#define PRETTY  (JSON_INDENT(2) | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY)
#define COMPACT (JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY)

/* Compares jout's pretty, compact and size forms of v with jansson's; takes v. */
static void same_as_jansson(json_t *v)
{
    char *want = json_dumps(v, PRETTY);
    size_t len;
    char *got = jout_dump(v, &len);
    assert_non_null(want);
    assert_int_equal(len, strlen(want) + 1);
    assert_memory_equal(got, want, len - 1);
    assert_int_equal(got[len - 1], '\n');
    assert_int_equal(jout_dump_size(v), len);
    free(want);
    free(got);

    want = json_dumps(v, COMPACT);
    got = jout_compact(v);
    assert_string_equal(got, want);
    assert_int_equal(jout_compact_size(v), strlen(want));
    free(want);
    free(got);
    json_decref(v);
}

static void test_jout_scalars(void **state)
{
    (void)state;
    static const double reals[] = {
        0.0,      -0.0,
        1.0,      -1.5,
        0.1,      1.0 / 3.0,
        2.5e-7,   1e-5,
        1e15,     1e16,
        1e20,     1.5e300,
        -2e-300,  123456.789,
        1e100,    4.9e-324,
        1.7e308,  99999999999999.9,
        0.000123, 12345678901234567890.0,
    };
    for (size_t i = 0; i < sizeof(reals) / sizeof(*reals); i++)
        same_as_jansson(json_real(reals[i]));
    static const json_int_t ints[] = {0, 1, -1, 42, -9000, INT64_MAX, INT64_MIN, 1000000};
    for (size_t i = 0; i < sizeof(ints) / sizeof(*ints); i++)
        same_as_jansson(json_integer(ints[i]));
    same_as_jansson(json_true());
    same_as_jansson(json_false());
    same_as_jansson(json_null());
}

static void test_jout_strings(void **state)
{
    (void)state;
    same_as_jansson(json_string(""));
    same_as_jansson(json_string("plain"));
    same_as_jansson(json_string("q\"b\\s/ \b\f\n\r\t end"));
    same_as_jansson(
        json_string("\x01\x1f\x7f caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80"));
    same_as_jansson(json_stringn("nul\0inside", 10));
    same_as_jansson(json_pack("{s:s}", "key\n\"quoted\"", "v"));
}

static void test_jout_containers(void **state)
{
    (void)state;
    same_as_jansson(json_object());
    same_as_jansson(json_array());
    same_as_jansson(json_pack("{s:{},s:[],s:[{}],s:[[]]}", "a", "b", "c", "d"));
    same_as_jansson(json_pack("{s:i,s:[i,s,{s:f}],s:{s:{s:b}}}", "z", 1, "a", 2, "x", "k",
                              0.5, "m", "n", "o", 1));
}

/* A random document: xorshift-driven, depth-limited, every type and awkward bytes. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static json_t *random_string(void)
{
    static const char *const pieces[] = {"a", "Z",        "\"",           "\\",
                                         "/", "\n",       "\x02",         "\x1f",
                                         " ", "\xc3\xa9", "\xe2\x82\xac", "9"};
    char buf[64] = "";
    size_t n = next_random() % 8;
    for (size_t i = 0; i < n; i++)
        strcat(buf, pieces[next_random() % (sizeof(pieces) / sizeof(*pieces))]);
    return json_string(buf);
}

static json_t *random_value(int depth)
{
    unsigned kind = (unsigned)(next_random() % (depth > 3 ? 6 : 8));
    switch (kind) {
    case 0:
        return json_integer((json_int_t)next_random() >> (next_random() % 64));
    case 1: {
        double d =
            (double)(int64_t)next_random() / (double)(1ULL << (next_random() % 60));
        return json_real(ldexp(d, (int)(next_random() % 200) - 100));
    }
    case 2:
        return random_string();
    case 3:
        return json_boolean(next_random() & 1);
    case 4:
        return json_null();
    case 5:
        return json_integer((json_int_t)(next_random() % 100));
    case 6: {
        json_t *a = json_array();
        for (size_t n = next_random() % 5; n; n--)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    default: {
        json_t *o = json_object();
        for (size_t n = next_random() % 5; n; n--) {
            json_t *k = random_string();
            json_object_set_new(o, json_string_value(k), random_value(depth + 1));
            json_decref(k);
        }
        return o;
    }
    }
}

static void test_jout_random_documents(void **state)
{
    (void)state;
    for (int i = 0; i < 3000; i++)
        same_as_jansson(random_value(0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jout_scalars),
        cmocka_unit_test(test_jout_strings),
        cmocka_unit_test(test_jout_containers),
        cmocka_unit_test(test_jout_random_documents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
