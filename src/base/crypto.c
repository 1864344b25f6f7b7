/* libcrypto on first use; see crypto.h. */
#include "base/crypto.h"

#include <dlfcn.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#ifndef WFGEN_LIBCRYPTO
#define WFGEN_LIBCRYPTO "libcrypto.so.3"
#endif

/* The four functions wfgen uses, with OpenSSL's signatures. */
static struct {
    const EVP_MD *(*digest_by_name)(const char *name);
    int (*digest)(const void *data, size_t count, unsigned char *md, unsigned int *size,
                  const EVP_MD *type, ENGINE *impl);
    int (*encode)(unsigned char *t, const unsigned char *f, int n);
    int (*decode)(unsigned char *t, const unsigned char *f, int n);
    bool ok;
} lib;

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_load(void)
{
    static const char *const names[] = {WFGEN_LIBCRYPTO, "libcrypto.so.3",
                                        "libcrypto.so"};
    void *h = NULL;
    for (size_t i = 0; !h && i < sizeof(names) / sizeof(names[0]); i++)
        h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "wfgen: cannot load libcrypto (%s): %s\n", WFGEN_LIBCRYPTO,
                dlerror());
        return;
    }
    /* POSIX's way to turn dlsym's object pointer into a function pointer. */
    *(void **)&lib.digest_by_name = dlsym(h, "EVP_get_digestbyname");
    *(void **)&lib.digest = dlsym(h, "EVP_Digest");
    *(void **)&lib.encode = dlsym(h, "EVP_EncodeBlock");
    *(void **)&lib.decode = dlsym(h, "EVP_DecodeBlock");
    lib.ok = lib.digest_by_name && lib.digest && lib.encode && lib.decode;
}

static bool lib_ready(void)
{
    pthread_once(&lib_once, lib_load);
    return lib.ok;
}

/* AWS's algorithm names and OpenSSL's. */
static const struct {
    const char *aws, *openssl;
} algs[] = {
    {"MD5", "MD5"},        {"SHA-1", "SHA1"},     {"SHA-256", "SHA256"},
    {"SHA-384", "SHA384"}, {"SHA-512", "SHA512"},
};

static const char *openssl_name(const char *alg, size_t len)
{
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        if (strlen(algs[i].aws) == len && !memcmp(algs[i].aws, alg, len))
            return algs[i].openssl;
    return NULL;
}

bool crypto_digest_known(const char *alg, size_t len)
{
    return openssl_name(alg, len) != NULL;
}

int crypto_digest_hex(const char *alg, size_t alg_len, const void *data, size_t len,
                      char hex[CRYPTO_HEX_MAX])
{
    const char *name = openssl_name(alg, alg_len);
    if (!name || !lib_ready())
        return -1;
    const EVP_MD *md = lib.digest_by_name(name);
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!md || !lib.digest(data, len, out, &n, md, NULL) || 2 * n >= CRYPTO_HEX_MAX)
        return -1;
    static const char digits[] = "0123456789abcdef";
    for (unsigned int i = 0; i < n; i++) {
        hex[2 * i] = digits[out[i] >> 4];
        hex[2 * i + 1] = digits[out[i] & 15];
    }
    hex[2 * n] = '\0';
    return 0;
}

int crypto_base64_encode(char *out, const void *in, size_t n)
{
    if (n > INT_MAX / 2 || !lib_ready())
        return -1;
    return lib.encode((unsigned char *)out, in, (int)n);
}

int crypto_base64_decode(unsigned char *out, const char *in, size_t n)
{
    if (n > INT_MAX / 2 || !lib_ready())
        return -1;
    return lib.decode(out, (const unsigned char *)in, (int)n);
}
