/*
 * findtag_main.h - the `poolscope findtag TAG PATH...` mode of the program.
 */
#ifndef PS_CLI_FINDTAG_MAIN_H
#define PS_CLI_FINDTAG_MAIN_H

/* argv holds the words after "findtag". Returns the exit status. */
int ps_cli_findtag(int argc, char **argv);

#endif
