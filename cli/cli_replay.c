/*
 * cli_replay.c - `zsfrag replay` (being written).
 */
#include <stdio.h>
#include <sysexits.h>

#include "cli.h"

int cli_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "zsfrag replay: not built yet\n");
	return EX_UNAVAILABLE;
}
