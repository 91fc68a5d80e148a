/* base64.h - standard base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, '=' padding), as HdrHistogram
 * logs carry their compressed histograms and HTTP Basic credentials carry a client id and secret.
 */
#ifndef BASE64_H
#define BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters cx_b64_encode writes for n bytes, not counting the NUL. */
size_t cx_b64_encoded_len(size_t n);

/* Encode n bytes of in into out, which holds cx_b64_encoded_len(n) + 1 characters (padded,
 * NUL-terminated). Cannot fail. */
void cx_b64_encode(const uint8_t *in, size_t n, char *out);

/* Decode len characters of in (padding optional, no whitespace or line breaks inside) into out,
 * which holds at least len / 4 * 3 + 2 bytes; *outlen gets the byte count. Returns 0, or -1 if a
 * character is outside the alphabet, '=' is anywhere but the end, or the length cannot be
 * base64 (len % 4 == 1). */
int cx_b64_decode(const char *in, size_t len, uint8_t *out, size_t *outlen);

#endif
