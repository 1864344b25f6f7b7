/*
 * Digests and base64 from libcrypto, which is loaded the first time one of these is
 * called: linked normally, it costs every wfgen process 0.8 ms of start-up (more than
 * a whole typical `wfgen run`), and most processes never hash anything.
 */
#ifndef WFGEN_CRYPTO_H
#define WFGEN_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#define CRYPTO_HEX_MAX 129 /* SHA-512 in hex, plus the NUL */

/* True for the algorithm names AWS accepts: MD5, SHA-1, SHA-256, SHA-384, SHA-512. */
bool crypto_digest_known(const char *alg, size_t len);

/*
 * Writes the lowercase hex digest of data with `alg` (an AWS name, see above) into hex.
 * Returns 0, or -1 for an unknown name or when libcrypto cannot be loaded.
 */
int crypto_digest_hex(const char *alg, size_t alg_len, const void *data, size_t len,
                      char hex[CRYPTO_HEX_MAX]);

/* Standard base64 with padding; out holds 4 * ((n + 2) / 3) + 1 bytes. -1 on failure. */
int crypto_base64_encode(char *out, const void *in, size_t n);

/*
 * Decodes base64 whose length is a multiple of 4 (padding included); out holds n / 4 * 3
 * + 1 bytes. Returns the decoded length counting padding as zero bytes (as
 * EVP_DecodeBlock does), or -1 for invalid text or when libcrypto cannot be loaded.
 */
int crypto_base64_decode(unsigned char *out, const char *in, size_t n);

#endif
