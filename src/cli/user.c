/*
 * user.c - `dateline user add|list|passwd`: accounts from the server's shell,
 * for the first admin and for recovery.
 */
#include "core/compat.h"
#include <sodium.h>
#include <termios.h>
#include <unistd.h>
#include "core/err.h"
#include "core/log.h"
#include "cli/cli.h"
#include "engine/auth.h"
#include "store/editorial.h"

static struct cli_opt add_opts[] = {
	{ "db", "URL", "database: a SQLite path, sqlite:PATH or postgresql://...", CLI_DEFAULT_DB, NULL },
	{ "role", "ROLE", "admin, editor, author or contributor", "author", NULL },
	{ "name", "NAME", "the byline (default: the email's local part)", NULL, NULL },
	{ "password-stdin", NULL, "read the password from standard input", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

static struct cli_opt db_opts[] = {
	{ "db", "URL", "database: a SQLite path, sqlite:PATH or postgresql://...", CLI_DEFAULT_DB, NULL },
	{ "password-stdin", NULL, "read the password from standard input", NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* Remove the one positional argument from argv (options keep their values). */
static const char *take_positional(int *argc, char **argv, const struct cli_opt *opts)
{
	for (int i = 0; i < *argc; i++) {
		const char *a = argv[i];
		if (!strncmp(a, "--", 2)) {
			const struct cli_opt *o;
			size_t n = strcspn(a + 2, "=");
			for (o = opts; o->name; o++)
				if (strlen(o->name) == n && !strncmp(o->name, a + 2, n))
					break;
			if (o->name && o->arg && !strchr(a, '='))
				i++;  /* its value */
			continue;
		}
		memmove(&argv[i], &argv[i + 1], sizeof(*argv) * (size_t)(*argc - i - 1));
		(*argc)--;
		return a;
	}
	return NULL;
}

static void chomp(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

/* Ask twice without echo. Returns 0, or 1 when the answers differ or input ends. */
static int ask_password(char *buf, size_t len)
{
	struct termios old, quiet;
	char again[AUTH_PASSWORD_MAX + 2];
	int rc = 0;

	tcgetattr(0, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(0, TCSAFLUSH, &quiet);
	fprintf(stderr, "Password (empty: generate one): ");
	if (!fgets(buf, (int)len, stdin))
		rc = 1;
	chomp(buf);
	if (!rc && *buf) {
		fprintf(stderr, "\nAgain: ");
		if (!fgets(again, sizeof(again), stdin))
			rc = 1;
		chomp(again);
		if (!rc && strcmp(buf, again)) {
			fprintf(stderr, "\ndateline user: the passwords differ");
			rc = 1;
		}
		sodium_memzero(again, sizeof(again));
	}
	fprintf(stderr, "\n");
	tcsetattr(0, TCSAFLUSH, &old);
	return rc;
}

/* The password from stdin, a prompt, or generated (then *generated). */
static int get_password(bool from_stdin, char *buf, size_t len, bool *generated)
{
	*generated = false;
	buf[0] = '\0';
	if (from_stdin) {
		if (!fgets(buf, (int)len, stdin))
			return error("no password on standard input");
		chomp(buf);
	} else if (isatty(0) && ask_password(buf, len)) {
		return 1;
	}
	if (!*buf) {
		char token[AUTH_TOKEN_LEN + 1];
		auth_new_token(token);
		/* 20 hex digits: 80 bits, easy to type once and change. */
		snprintf(buf, len, "%.20s", token);
		*generated = true;
	}
	return 0;
}

static int open_db(const char *url, struct db **db)
{
	if (cli_prepare_db_dir(url) || db_open(url, db))
		return 1;
	if (store_migrate(*db)) {
		db_close(*db);
		return 1;
	}
	return 0;
}

static int user_add(int argc, char **argv)
{
	const char *email = take_positional(&argc, argv, add_opts), *name, *why;
	char password[AUTH_PASSWORD_MAX + 2], namebuf[101];
	bool generated;
	struct db *db;
	int64_t id;
	int rc;

	if (cli_parse("user add", argc, argv, add_opts))
		return 2;
	if (!email) {
		fprintf(stderr, "usage: dateline user add [--role ROLE] [--name NAME] EMAIL\n");
		return 2;
	}
	name = cli_get(add_opts, "name");
	if (!name) {
		snprintf(namebuf, sizeof(namebuf), "%.*s", (int)strcspn(email, "@"), email);
		name = namebuf;
	}
	if (get_password(cli_get(add_opts, "password-stdin") != NULL, password, sizeof(password),
			 &generated))
		return 1;
	if (open_db(cli_get(add_opts, "db"), &db))
		return 1;
	rc = auth_user_add(db, email, name, cli_get(add_opts, "role"), password, &id, &why);
	if (!rc)
		store_audit(db, &(struct store_change){ 0, "cli", "", "user.create",
							"", email });
	db_close(db);
	if (rc) {
		sodium_memzero(password, sizeof(password));
		if (why)
			fprintf(stderr, "dateline user add: %s\n", why);
		return 1;
	}
	printf("dateline: %s is now a%s %s (user %" PRId64 ")\n", email,
	       cli_get(add_opts, "role")[0] == 'a' || cli_get(add_opts, "role")[0] == 'e' ? "n" : "",
	       cli_get(add_opts, "role"), id);
	/* Printed once, to the operator's terminal only; never logged. */
	if (generated)
		printf("password: %s\n", password);
	sodium_memzero(password, sizeof(password));
	return 0;
}

static int user_passwd(int argc, char **argv)
{
	const char *email = take_positional(&argc, argv, db_opts), *problem;
	char password[AUTH_PASSWORD_MAX + 2];
	struct store_user u;
	struct arena *a;
	struct db *db;
	bool generated;
	int rc;

	if (cli_parse("user passwd", argc, argv, db_opts))
		return 2;
	if (!email) {
		fprintf(stderr, "usage: dateline user passwd EMAIL\n");
		return 2;
	}
	if (get_password(cli_get(db_opts, "password-stdin") != NULL, password, sizeof(password),
			 &generated))
		return 1;
	if ((problem = auth_password_problem(password))) {
		fprintf(stderr, "dateline user passwd: %s\n", problem);
		return 1;
	}
	if (open_db(cli_get(db_opts, "db"), &db))
		return 1;
	a = arena_new(4096);
	rc = store_user_by_email(db, a, slice_cstr(email), &u);
	if (rc == DL_NOTFOUND)
		fprintf(stderr, "dateline user passwd: no account for %s\n", email);
	/* A reset ends every session: whoever knew the old password is out. */
	if (!rc)
		rc = auth_set_password(db, u.id, password, NULL);
	arena_free(a);
	db_close(db);
	if (!rc) {
		printf("dateline: password changed for %s; every session ended\n", email);
		if (generated)
			printf("password: %s\n", password);
	}
	sodium_memzero(password, sizeof(password));
	return rc ? 1 : 0;
}

static int user_list(int argc, char **argv)
{
	struct store_user *users;
	struct arena *a;
	struct db *db;
	size_t n;
	int rc;

	if (cli_parse("user list", argc, argv, db_opts) || open_db(cli_get(db_opts, "db"), &db))
		return 2;
	a = arena_new(16384);
	rc = store_users(db, a, &users, &n);
	for (size_t i = 0; !rc && i < n; i++)
		printf("%-6" PRId64 " %-12.*s %.*s <%.*s>%s\n", users[i].id, (int)users[i].role.len,
		       users[i].role.p, (int)users[i].name.len, users[i].name.p, (int)users[i].email.len,
		       users[i].email.p, users[i].password_hash.len ? "" : " (cannot log in)");
	arena_free(a);
	db_close(db);
	return rc ? 1 : 0;
}

int cmd_user(int argc, char **argv)
{
	if (argc >= 1 && !strcmp(argv[0], "add"))
		return user_add(argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "passwd"))
		return user_passwd(argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "list"))
		return user_list(argc - 1, argv + 1);
	fprintf(stderr, "usage: dateline user add [--role ROLE] [--name NAME] [--password-stdin] EMAIL\n"
			"       dateline user passwd [--password-stdin] EMAIL\n"
			"       dateline user list\n");
	return 2;
}
