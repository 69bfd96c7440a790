// TEMPORARY STUB (being implemented)
#include "server/matchmaking/matchmaker.h"
