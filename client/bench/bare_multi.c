/* bare_multi.c - the baseline of ci/bench-driver: the least a libcurl multi loop can do. N easy
 * handles on one multi handle, each re-added as soon as it completes, keep-alive, no recording,
 * for SECONDS; prints "requests N seconds S rate R".
 * Usage: cxload-bare-multi URL CONNECTIONS SECONDS */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: cxload-bare-multi URL CONNECTIONS SECONDS\n");
        return 1;
    }
    int conns = atoi(argv[2]);
    double secs = atof(argv[3]);
    if (conns < 1 || secs <= 0) {
        fprintf(stderr, "cxload-bare-multi: CONNECTIONS >= 1 and SECONDS > 0\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)conns);
    for (int i = 0; i < conns; i++) {
        CURL *e = curl_easy_init();
        curl_easy_setopt(e, CURLOPT_URL, argv[1]);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
        curl_multi_add_handle(m, e);
    }
    long done = 0, errors = 0;
    double start = now_s(), end = start + secs;
    int running = 1;
    while (now_s() < end) {
        curl_multi_perform(m, &running);
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(m, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            CURL *e = msg->easy_handle;
            if (msg->data.result == CURLE_OK)
                done++;
            else
                errors++;
            curl_multi_remove_handle(m, e);
            curl_multi_add_handle(m, e);
        }
        curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    double el = now_s() - start;
    printf("requests %ld errors %ld seconds %.3f rate %.0f\n", done, errors, el, (double)done / el);
    curl_multi_cleanup(m);
    curl_global_cleanup();
    return 0;
}
