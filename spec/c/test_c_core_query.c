/* Runs examples/c_core_query.c as a test: the core with no Lua. */
#include "../../examples/c_core_query.c"
