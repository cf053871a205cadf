/** Bad command line, or nothing to serve. */
export const EXIT_USAGE = 2;
/** EX_CONFIG from sysexits.h: the configuration is wrong. */
export const EXIT_CONFIG = 78;
