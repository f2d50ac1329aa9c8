/*
 * messages.c - see messages.h.
 *
 * A language is a flat list of (name, text) entries: "@when" for a word,
 * "invitation.sms.video" for a text.  Lists are small (a few dozen), so a
 * lookup is a linear scan.  Rendering copies text to the buffer, replacing
 * "{name}"; pieces ({prepare}, {notice}, {place}) are texts of their own and
 * are rendered in turn, one level deep.  A placeholder that comes out empty
 * and stood alone on its line takes its line break with it.
 */
#include "messages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "timeutil.h"
#include "validate.h"

const char *const messages_langs[MESSAGES_LANGS] = {"nb", "nn", "en"};
const char *const messages_kinds[MESSAGES_KINDS] = {"invitation", "reminder",  "changed",
						    "cancelled",  "confirmed", "opted_out",
						    "survey", "prom", "prom_reminder", "feedback"};

#define MAX_ENTRIES 96

struct entry {
	char *name;
	char *text;
};

struct lang {
	int n;
	struct entry e[MAX_ENTRIES];
	char *words[12 + 7]; /* months, then weekdays (split from @months, @weekdays) */
};

struct messages {
	struct lang lang[MESSAGES_LANGS];
};

static const char *find(const struct lang *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->e[i].name, name))
			return l->e[i].text;
	return NULL;
}

static char *dup_range(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static bool add(struct lang *l, const char *name, size_t nl, const char *text, size_t tl)
{
	if (l->n == MAX_ENTRIES)
		return false;
	while (tl && text[tl - 1] == '\n') /* a text ends at its last line */
		tl--;
	l->e[l->n].name = dup_range(name, nl);
	l->e[l->n].text = dup_range(text, tl);
	if (!l->e[l->n].name || !l->e[l->n].text) {
		free(l->e[l->n].name);
		free(l->e[l->n].text);
		return false;
	}
	l->n++;
	return true;
}

/* Split an "@months"/"@weekdays" value into want words at l->words + at. */
static bool split_words(struct lang *l, const char *list, int at, int want)
{
	const char *p = list;
	int n = 0;

	while (*p && n < want) {
		size_t w = strcspn(p, " ");
		if (!(l->words[at + n++] = dup_range(p, w)))
			return false;
		p += w;
		p += strspn(p, " ");
	}
	return n == want && !*p;
}

static enum app_err parse(struct lang *l, const char *file, const char *text)
{
	const char *p = text, *sec = NULL, *body = NULL;
	size_t secl = 0;
	int line = 0;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *next = eol ? eol + 1 : p + len;

		line++;
		if (len && p[0] == '#') {
			/* a comment */
		} else if (len && (p[0] == '@' || p[0] == '[')) {
			if (sec && !add(l, sec, secl, body, (size_t)(p - body)))
				goto bad;
			sec = NULL;
			if (p[0] == '@') {
				size_t nl = strcspn(p, " \n");
				if (nl == len || !add(l, p, nl, p + nl + 1, len - nl - 1))
					goto bad;
			} else {
				if (p[len - 1] != ']' || len < 3)
					goto bad;
				sec = p + 1;
				secl = len - 2;
				body = next;
			}
		} else if (!sec && len) {
			goto bad; /* text outside a section */
		}
		p = next;
	}
	if (sec && !add(l, sec, secl, body, (size_t)(p - body)))
		goto bad;
	if (!find(l, "@months") || !find(l, "@weekdays") || !find(l, "@when") ||
	    !split_words(l, find(l, "@months"), 0, 12) ||
	    !split_words(l, find(l, "@weekdays"), 12, 7)) {
		log_error("messages: %s needs @months (12), @weekdays (7) and @when", file);
		return APP_EINVAL;
	}
	return APP_OK;
bad:
	log_error("messages: %s:%d: not an '@name value', '[section]' or text line", file, line);
	return APP_EINVAL;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	buf_init(&b, 1024 * 1024);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_steal(&b, NULL);
}

enum app_err messages_from_texts(const char *const texts[MESSAGES_LANGS], struct messages **out)
{
	struct messages *m = calloc(1, sizeof(*m));
	enum app_err err = APP_OK;

	if (!m)
		return APP_ENOMEM;
	for (int i = 0; i < MESSAGES_LANGS && !err; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%s.txt", messages_langs[i]);
		if (!validate_utf8(texts[i], strlen(texts[i]))) {
			log_error("messages: %s is not valid UTF-8", name);
			err = APP_EINVAL;
			break;
		}
		err = parse(&m->lang[i], name, texts[i]);
	}
	if (err) {
		messages_free(m);
		return err;
	}
	*out = m;
	return APP_OK;
}

enum app_err messages_new(const char *dir, struct messages **out)
{
	const char *texts[MESSAGES_LANGS] = {NULL};
	char *owned[MESSAGES_LANGS] = {NULL};
	enum app_err err = APP_OK;

	for (int i = 0; i < MESSAGES_LANGS && !err; i++) {
		char name[16], path[600];

		snprintf(name, sizeof(name), "%s.txt", messages_langs[i]);
		if (dir && *dir) {
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			if (!(texts[i] = owned[i] = read_file(path))) {
				log_error("messages: cannot read %s: %s", path, strerror(errno));
				err = APP_EINVAL;
			}
		} else {
			for (int k = 0; k < messages_nbuiltin; k++)
				if (!strcmp(messages_builtin[k].name, name))
					texts[i] = messages_builtin[k].text;
			if (!texts[i]) {
				log_error("messages: no built-in %s", name);
				err = APP_EINVAL;
			}
		}
	}
	if (!err)
		err = messages_from_texts(texts, out);
	for (int i = 0; i < MESSAGES_LANGS; i++)
		free(owned[i]);
	return err;
}

void messages_free(struct messages *m)
{
	if (!m)
		return;
	for (int i = 0; i < MESSAGES_LANGS; i++) {
		struct lang *l = &m->lang[i];
		for (int k = 0; k < l->n; k++) {
			free(l->e[k].name);
			free(l->e[k].text);
		}
		for (size_t k = 0; k < sizeof(l->words) / sizeof(l->words[0]); k++)
			free(l->words[k]);
	}
	free(m);
}

static const struct lang *lang_of(const struct messages *m, const char *lang)
{
	for (int i = 0; i < MESSAGES_LANGS; i++)
		if (!strcmp(messages_langs[i], lang))
			return &m->lang[i];
	return NULL;
}

static enum app_err expand(const struct lang *l, const char *text, const struct message_vars *v,
			   int depth, struct buf *out);

/* The value of placeholder name (len n) into out. */
static enum app_err placeholder(const struct lang *l, const char *name, size_t n,
				const struct message_vars *v, int depth, struct buf *out)
{
	char key[40], word[64];
	struct civil c;
	const char *t;

	if (n >= sizeof(key))
		return APP_EINVAL;
	memcpy(key, name, n);
	key[n] = '\0';
	timeutil_to_local(v->start, &c);
	if (!strcmp(key, "link")) {
		buf_puts(out, v->link);
	} else if (!strcmp(key, "feedback")) {
		buf_puts(out, v->feedback ? v->feedback : "");
	} else if (!strcmp(key, "clinic")) {
		buf_puts(out, v->clinic);
	} else if (!strcmp(key, "notice_hours")) {
		buf_printf(out, "%d", v->notice_hours);
	} else if (!strcmp(key, "room")) {
		buf_puts(out, v->room ? v->room : "");
	} else if (!strcmp(key, "time")) {
		buf_printf(out, "%02d:%02d", c.hour, c.min);
	} else if (!strcmp(key, "date")) {
		buf_printf(out, "%02d.%02d.%04d", c.day, c.month, c.year);
	} else if (!strcmp(key, "day")) {
		buf_printf(out, "%d", c.day);
	} else if (!strcmp(key, "month")) {
		buf_puts(out, l->words[c.month - 1]);
	} else if (!strcmp(key, "weekday")) {
		buf_puts(out, l->words[12 + timeutil_weekday(c.year, c.month, c.day) - 1]);
	} else if (!strcmp(key, "mode")) {
		snprintf(word, sizeof(word), "@mode.%s", appointment_mode_name(v->mode));
		if (!(t = find(l, word)))
			return APP_EINVAL;
		buf_puts(out, t);
	} else if (!strcmp(key, "when") && depth < 2) {
		return expand(l, find(l, "@when"), v, depth + 1, out);
	} else if (!strcmp(key, "place") && depth < 2) {
		if (v->mode == APPT_IN_PERSON && v->room && (t = find(l, "place")))
			return expand(l, t, v, depth + 1, out);
	} else if (!strcmp(key, "prepare") || !strcmp(key, "notice")) {
		if (depth >= 2 || !(t = find(l, key)))
			return APP_EINVAL;
		return expand(l, t, v, depth + 1, out);
	} else {
		return APP_EINVAL;
	}
	return APP_OK;
}

static enum app_err expand(const struct lang *l, const char *text, const struct message_vars *v,
			   int depth, struct buf *out)
{
	const char *p = text;
	enum app_err err;

	if (!p) /* a piece the language lacks (parse() requires the ones asked for) */
		return APP_EINVAL;
	while (*p) {
		const char *open = strchr(p, '{'), *close;
		size_t before;

		if (!open) {
			buf_puts(out, p);
			break;
		}
		if (!(close = strchr(open, '}')))
			return APP_EINVAL;
		buf_append(out, p, (size_t)(open - p));
		before = out->len;
		if ((err = placeholder(l, open + 1, (size_t)(close - open - 1), v, depth, out))) {
			log_error("messages: unknown or misplaced placeholder '%.*s'",
				  (int)(close - open - 1), open + 1);
			return err;
		}
		p = close + 1;
		/* an empty placeholder alone on its line takes the line with it */
		if (out->len == before && (open == text || open[-1] == '\n') && *p == '\n')
			p++;
	}
	return out->failed ? APP_ENOMEM : APP_OK;
}

enum app_err messages_render(const struct messages *m, const char *lang, const char *kind,
			     const char *part, const struct message_vars *v, struct buf *out)
{
	const struct lang *l = lang_of(m, lang);
	const char *text;
	char name[64];

	if (!l)
		return APP_EINVAL;
	snprintf(name, sizeof(name), "%s.%s.%s", kind, part,
		 v->guest ? "guest" : appointment_mode_name(v->mode));
	if (v->guest) {
		if (!(text = find(l, name)))
			return APP_EINVAL; /* never the patient's text to a guest */
	} else if (!(text = find(l, name))) {
		snprintf(name, sizeof(name), "%s.%s", kind, part);
		if (!(text = find(l, name)))
			return APP_EINVAL;
	}
	return expand(l, text, v, 0, out);
}

const char *messages_word(const struct messages *m, const char *lang, const char *name)
{
	const struct lang *l = lang_of(m, lang);

	return l ? find(l, name) : NULL;
}

/* GSM 03.38: the basic set (one septet) and the extension (two). */
static const char GSM_BASIC[] =
	"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
static const char GSM_EXT[] = "^{}\\[~]|€\f";

/* The next UTF-8 character of *p as its own NUL-terminated string. */
static size_t next_char(const char **p, char ch[5])
{
	const unsigned char *s = (const unsigned char *)*p;
	size_t n = s[0] < 0x80 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;

	for (size_t i = 1; i < n; i++)
		if (!s[i]) { /* cut short by the end (found by fuzzing: read past it) */
			n = i;
			break;
		}
	memcpy(ch, s, n);
	ch[n] = '\0';
	*p += n;
	return n;
}

int messages_sms_segments(const char *text)
{
	int septets = 0, units = 0;
	bool gsm = true;
	const char *p = text;
	char ch[5];

	while (*p) {
		size_t n = next_char(&p, ch);
		units += n == 4 ? 2 : 1; /* UTF-16 code units */
		if (strstr(GSM_BASIC, ch))
			septets += 1;
		else if (strstr(GSM_EXT, ch))
			septets += 2;
		else
			gsm = false;
	}
	if (gsm)
		return septets <= 160 ? 1 : (septets + 152) / 153;
	return units <= 70 ? 1 : (units + 66) / 67;
}
