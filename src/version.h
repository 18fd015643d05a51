/* version.h - the one place the version number lives. */
#ifndef GLINTEFY_VERSION_H
#define GLINTEFY_VERSION_H
#define GLINTEFY_VERSION "0.1.0"
#endif
