/* profile_cmd.h - the `glintefy profile` commands (show, merge, hotspots) on existing .prof
 * files; main.c's command table calls profile_cmd. */
#ifndef GLINTEFY_PROFILE_CMD_H
#define GLINTEFY_PROFILE_CMD_H

extern const char PROFILE_HELP[];

/* Runs `glintefy profile ARGS...` (argv excludes "profile"); returns the exit status. */
int profile_cmd(int argc, char **argv);
/* Prints the help of `profile SUB` (NULL: the group's); returns 0, or -1 if SUB is unknown. */
int profile_cmd_help(const char *sub);

#endif
