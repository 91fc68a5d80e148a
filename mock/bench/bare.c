/* bare.c - the baseline for ci/bench-mock: a civetweb server configured as cxmock's front end
 * (tcp_nodelay, keep-alive, the same worker count) whose one handler answers every request with
 * a fixed JSON body of the size of an interaction, written the way cxmock writes (one mg_write).
 * What cxmock adds on top - routing, auth, the lock, the simulation - is the difference.
 * Usage: cxmock-bare PORT THREADS  (PORT 0: any; prints "listening on http://127.0.0.1:PORT"). */
#include <civetweb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char body[] =
    "{\"id\":\"b27a48e2-9a23-4673-a4c1-23126ffda722\",\"state\":\"Ringing\",\"channelType\":"
    "\"voice\",\"externalId\":null,\"queueId\":\"q-fifo\",\"agentId\":null,\"ringingAgents\":["
    "\"agent-voice-1\",\"agent-voice-2\"],\"ringCount\":1,\"maxRings\":3,\"rejectReason\":null,"
    "\"metadata\":null,\"createdTime\":\"2026-01-01T00:00:00.000Z\"}";

static int handle(struct mg_connection *c, void *data)
{
    char out[1024];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     "%zu\r\nX-Request-Id: r1\r\n\r\n%s",
                     strlen(body), body);
    mg_write(c, out, (size_t)n);
    return 200;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: cxmock-bare PORT THREADS\n");
        return 1;
    }
    char ports[64];
    snprintf(ports, sizeof ports, "127.0.0.1:%s", argv[1]);
    const char *options[] = {
        "listening_ports",   ports, "num_threads",           argv[2], "tcp_nodelay", "1",
        "enable_keep_alive", "yes", "keep_alive_timeout_ms", "60000", NULL};
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    mg_init_library(0);
    struct mg_callbacks cb;
    memset(&cb, 0, sizeof cb);
    struct mg_context *ctx = mg_start(&cb, NULL, options);
    if (!ctx) {
        fprintf(stderr, "cxmock-bare: cannot listen on %s\n", ports);
        return 1;
    }
    mg_set_request_handler(ctx, "/", handle, NULL);
    struct mg_server_port sp[2];
    int n = mg_get_server_ports(ctx, 2, sp);
    printf("listening on http://127.0.0.1:%d\n", n > 0 ? sp[0].port : -1);
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    mg_stop(ctx);
    return 0;
}
