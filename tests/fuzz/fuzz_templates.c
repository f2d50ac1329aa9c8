/*
 * fuzz_templates.c - the message template files: the input is read as the
 * text of every language; when it loads, every kind and part is rendered
 * for each mode, for a patient and a guest, with and without a room, and
 * counted in SMS segments.  A template may be refused; nothing may crash,
 * loop or read out of bounds, and a rendered text is valid UTF-8 (a
 * template that is not is refused).
 */
#include "buf.h"
#include "fuzz.h"
#include "log.h"
#include "messages.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const parts[] = {"sms", "subject", "email"};
	const char *texts[MESSAGES_LANGS];
	struct messages *m;
	char *s;

	fuzz_setup();
	log_set_level(LOG_ERROR + 1); /* a refused template is logged: not here */
	s = fuzz_string(data, size);
	for (int i = 0; i < MESSAGES_LANGS; i++)
		texts[i] = s;
	if (messages_from_texts(texts, &m) == APP_OK) {
		for (int k = 0; k < MESSAGES_KINDS; k++)
			for (int p = 0; p < 3; p++)
				for (int v = 0; v < 6; v++) {
					struct message_vars vars = {
						.start = 1800000000 + v * 7919,
						.mode = (enum appt_mode)(v % 3),
						.link = "https://timebok.example/i/TOKEN",
						.room = v % 2 ? "Rom 3, Bygg A" : NULL,
						.clinic = "Poliklinikken",
						.notice_hours = 24,
						.guest = v >= 3};
					struct buf out;

					buf_init(&out, 64 * 1024);
					if (messages_render(m, "nb", messages_kinds[k], parts[p], &vars,
							    &out) == APP_OK &&
					    !out.failed) {
						char *text = buf_steal(&out, NULL);
						if (text)
							FUZZ_CHECK(validate_utf8(text, strlen(text)));
						if (text)
							(void)messages_sms_segments(text);
						free(text);
					}
					buf_release(&out);
				}
		(void)messages_word(m, "en", "@when");
		messages_free(m);
	}
	free(s);
	return 0;
}
