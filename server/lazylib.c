/*
 * lazylib.c - opening libcurl, libical and cjose at their first use (see
 * lazylib.h).
 */
#include "lazylib.h"
#include "log.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

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
