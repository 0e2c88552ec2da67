/* railmail: the command-line entry point; everything else is in cli.c. */
#include "railmail/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
