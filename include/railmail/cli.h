#ifndef RAILMAIL_CLI_H
#define RAILMAIL_CLI_H
/* The command line: parses arguments, runs a command, prints, and returns
 * the exit status (0 ok, 1 run failed, 2 bad usage or input). */
int cli_main(int argc, char **argv);
#endif /* RAILMAIL_CLI_H */
