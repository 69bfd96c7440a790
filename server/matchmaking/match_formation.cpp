// TEMPORARY STUB (being implemented)
#include "server/matchmaking/match_formation.h"
