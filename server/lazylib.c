/*
 * lazylib.c - opening libcurl, libical and cjose at their first use (see
 * lazylib.h).
 */
#include "lazylib.h"
#include "log.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TIMEBOK_SONAME_CURL /* CMakeLists.txt reads them from the libraries */
#define TIMEBOK_SONAME_CURL "libcurl.so.4"
#endif
#ifndef TIMEBOK_SONAME_ICAL
#define TIMEBOK_SONAME_ICAL "libical.so.3"
#endif
#ifndef TIMEBOK_SONAME_CJOSE
#define TIMEBOK_SONAME_CJOSE "libcjose.so.0"
#endif

static const char *const names[LAZYLIB_COUNT] = {
    [LAZYLIB_CURL] = TIMEBOK_SONAME_CURL,
    [LAZYLIB_ICAL] = TIMEBOK_SONAME_ICAL,
    [LAZYLIB_CJOSE] = TIMEBOK_SONAME_CJOSE,
};
static void *_Atomic handles[LAZYLIB_COUNT];
static pthread_mutex_t opening = PTHREAD_MUTEX_INITIALIZER;

static _Noreturn void broken(const char *what, const char *lib)
{
	const char *why = dlerror();

	log_error("%s %s: %s (the installation is incomplete)", what, lib, why ? why : "?");
	abort();
}

static void *open_lib(enum lazylib lib)
{
	void *h = atomic_load_explicit(&handles[lib], memory_order_acquire);

	if (h)
		return h;
	pthread_mutex_lock(&opening);
	if (!(h = atomic_load_explicit(&handles[lib], memory_order_relaxed))) {
		if (!(h = dlopen(names[lib], RTLD_NOW | RTLD_LOCAL)))
			broken("cannot load", names[lib]);
		if (lib == LAZYLIB_CURL) {
			/* before any handle: curl_easy_init would otherwise call it
			 * itself, unlocked */
			CURLcode (*init)(long);
			void *s = dlsym(h, "curl_global_init");

			if (!s)
				broken("no curl_global_init in", names[lib]);
			init = (CURLcode(*)(long))s;
			if (init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
				log_error("libcurl failed to start");
				abort();
			}
		}
		atomic_store_explicit(&handles[lib], h, memory_order_release);
	}
	pthread_mutex_unlock(&opening);
	return h;
}

void *lazylib_sym(enum lazylib lib, const char *name)
{
	void *s = dlsym(open_lib(lib), name);

	if (!s)
		broken(name, names[lib]);
	return s;
}

bool lazylib_check(void)
{
	pid_t pid = fork();
	int status = 0;

	if (pid < 0) {
		log_warn("lazylib: cannot check the libraries now (%s); their first use will",
			 strerror(errno));
		return true;
	}
	if (pid == 0) { /* what the child maps is not the server's */
		for (int i = 0; i < LAZYLIB_COUNT; i++)
			if (!dlopen(names[i], RTLD_LAZY | RTLD_LOCAL)) {
				const char *why = dlerror();

				log_error("cannot load %s: %s (the installation is incomplete)",
					  names[i], why ? why : "?");
				_exit(1);
			}
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool lazylib_loaded(enum lazylib lib)
{
	return atomic_load_explicit(&handles[lib], memory_order_acquire) != NULL;
}

void lazylib_free(void)
{
	void *h = atomic_load_explicit(&handles[LAZYLIB_CURL], memory_order_acquire);
	void *s;

	if (h && (s = dlsym(h, "curl_global_cleanup")))
		((void (*)(void))s)();
}
