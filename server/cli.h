/*
 * cli.h - the subcommands: "timebok user ..." and "timebok backup ...".
 */
#ifndef TIMEBOK_CLI_H
#define TIMEBOK_CLI_H

/* Run "timebok user add|passwd|disable|list ..." (argv[1] is "user");
 * returns the process exit status. */
int cli_user(int argc, char **argv);
/* Run "timebok backup --db PATH --out FILE". */
int cli_backup(int argc, char **argv);

#endif
