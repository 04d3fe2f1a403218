/* placeholder, replaced below */
#include "cli_trace.h"
#include <sysexits.h>
int cli_trace_from_process(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return EX_SOFTWARE;
}
int cli_trace_from_core(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return EX_SOFTWARE;
}
