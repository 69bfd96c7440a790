// TEMPORARY STUB (being implemented)
#include "server/matchmaking/record_codec.h"
