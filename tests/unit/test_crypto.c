/* Unit tests for src/base/crypto.c: digests and base64 through the loaded libcrypto. */
#include "helpers.h"

#include "base/crypto.h"

static void check_digest(const char *alg, const char *text, const char *want)
{
    char hex[CRYPTO_HEX_MAX];
    assert_int_equal(crypto_digest_hex(alg, strlen(alg), text, strlen(text), hex), 0);
    assert_string_equal(hex, want);
}

static void test_crypto_digests(void **state)
{
    (void)state;
    check_digest("MD5", "abc", "900150983cd24fb0d6963f7d28e17f72");
    check_digest("SHA-1", "abc", "a9993e364706816aba3e25717850c26c9cd0d89d");
    check_digest("SHA-256", "abc",
                 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_digest(
        "SHA-384", "",
        "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebf"
        "e76f65fbd51ad2f14898b95b");
    check_digest(
        "SHA-512", "abc",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a"
        "274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
}

static void test_crypto_unknown_algorithm(void **state)
{
    (void)state;
    char hex[CRYPTO_HEX_MAX];
    assert_false(crypto_digest_known("SHA256", 6)); /* AWS spells it SHA-256 */
    assert_true(crypto_digest_known("SHA-256", 7));
    assert_false(crypto_digest_known("MD5x", 3 + 1));
    assert_int_equal(crypto_digest_hex("SHA-3", 5, "a", 1, hex), -1);
}

static void test_crypto_base64(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(crypto_base64_encode(out, "hello", 5), 8);
    assert_string_equal(out, "aGVsbG8=");
    unsigned char back[16];
    assert_int_equal(crypto_base64_decode(back, "aGVsbG8=", 8), 6); /* padding counts */
    assert_memory_equal(back, "hello", 5);
    assert_int_equal(crypto_base64_decode(back, "a*==", 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crypto_digests),
        cmocka_unit_test(test_crypto_unknown_algorithm),
        cmocka_unit_test(test_crypto_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
