/* cli: placeholder until the commands land. */
#include "railmail/cli.h"

#include <stdio.h>

int cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    puts("railmail 0.1.0 — the model is not built yet; try `make bench`");
    return 0;
}
