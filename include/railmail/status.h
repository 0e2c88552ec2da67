#ifndef RAILMAIL_STATUS_H
#define RAILMAIL_STATUS_H
/* Project-wide result codes. Only cli.c turns them into exit statuses:
 * RM_EINPUT exits 2, the others exit 1. */
enum rm_status {
    RM_OK = 0,
    RM_EINPUT,  /* bad scenario, override or command line */
    RM_EIO,     /* cannot read or write a file */
    RM_ENOMEM,  /* out of memory */
    RM_ERUN     /* the simulation broke an invariant or an external tool failed */
};
#endif /* RAILMAIL_STATUS_H */
