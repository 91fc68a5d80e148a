/* base64.c - see base64.h */
#include "base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t cx_b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

void cx_b64_encode(const uint8_t *in, size_t n, char *out)
{
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        *out++ = alphabet[w >> 18];
        *out++ = alphabet[(w >> 12) & 63];
        *out++ = alphabet[(w >> 6) & 63];
        *out++ = alphabet[w & 63];
    }
    if (n - i == 1) {
        uint32_t w = (uint32_t)in[i] << 16;
        *out++ = alphabet[w >> 18];
        *out++ = alphabet[(w >> 12) & 63];
        *out++ = '=';
        *out++ = '=';
    } else if (n - i == 2) {
        uint32_t w = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        *out++ = alphabet[w >> 18];
        *out++ = alphabet[(w >> 12) & 63];
        *out++ = alphabet[(w >> 6) & 63];
        *out++ = '=';
    }
    *out = '\0';
}

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int cx_b64_decode(const char *in, size_t len, uint8_t *out, size_t *outlen)
{
    /* Padding: up to two '=' at the end, and only to make a multiple of 4. */
    size_t pad = 0;
    while (pad < 2 && len > 0 && in[len - 1] == '=') {
        len--;
        pad++;
    }
    if (len % 4 == 1 || (pad && (len + pad) % 4 != 0))
        return -1;
    size_t n = 0;
    uint32_t w = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int s = sextet(in[i]);
        if (s < 0)
            return -1;
        w = w << 6 | (uint32_t)s;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(w >> bits);
            w &= (1u << bits) - 1;
        }
    }
    *outlen = n;
    return 0;
}
