# The store's Lua scripts, embedded at configure time into the generated
# header qbot/store/lua_scripts.h (private to qbot_store): one constant per
# script, `lua::k<Name>` (heartbeat.lua -> kHeartbeat), holding prelude.lua
# followed by the script. Editing any of these files re-runs the configure.
# The same texts are written to ${QBOT_LUA_GENERATED_DIR}/qbot/store/lua/ for
# the lint test (tests/CMakeLists.txt), listed in the global property
# QBOT_STORE_LUA_FILES.
set(QBOT_LUA_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(QBOT_LUA_GENERATED_DIR ${CMAKE_CURRENT_BINARY_DIR}/generated)
set(QBOT_LUA_SCRIPTS
  heartbeat live_servers                                  # registry (redis_store.cpp)
  create_bot update_bot delete_bot                        # garage (redis_store_garage.cpp)
  enqueue drop_ticket poll_tickets                        # tickets (redis_store_tickets.cpp)
  waiting_tickets assign_matches take_matches             # matchmaking (redis_store_matches.cpp)
  reserve_match_ids submit_result)                        # ids (redis_store_matches.cpp), results (redis_store_results.cpp)
# Ends the raw string literal each script is embedded in: no script may contain it.
set(QBOT_LUA_END ")qbotlua\"")

# heartbeat -> kHeartbeat, live_servers -> kLiveServers.
function(qbot_lua_constant_name script out)
  string(REPLACE "_" ";" words ${script})
  set(name "k")
  foreach(word ${words})
    string(SUBSTRING ${word} 0 1 first)
    string(SUBSTRING ${word} 1 -1 rest)
    string(TOUPPER ${first} first)
    string(APPEND name ${first}${rest})
  endforeach()
  set(${out} ${name} PARENT_SCOPE)
endfunction()

# Fails the configure if `text` (from `file`) contains the literal's end.
function(qbot_lua_check_delimiter file text)
  string(FIND "${text}" "${QBOT_LUA_END}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${file} contains ${QBOT_LUA_END}, which would end the C++ raw string it is "
                        "embedded in (server/store/lua/lua_scripts.cmake): rephrase that line")
  endif()
endfunction()

set(prelude_file ${QBOT_LUA_SOURCE_DIR}/prelude.lua)
file(READ ${prelude_file} prelude)
qbot_lua_check_delimiter(${prelude_file} "${prelude}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${prelude_file})

set(QBOT_LUA_CONSTANTS "")
set(combined_files "")
foreach(script ${QBOT_LUA_SCRIPTS})
  set(script_file ${QBOT_LUA_SOURCE_DIR}/${script}.lua)
  file(READ ${script_file} body)
  qbot_lua_check_delimiter(${script_file} "${body}")
  # The seam too: the prelude's end and the script's start must not form it.
  qbot_lua_check_delimiter("prelude.lua followed by ${script}.lua" "${prelude}${body}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${script_file})
  qbot_lua_constant_name(${script} constant)
  string(APPEND QBOT_LUA_CONSTANTS
         "/// prelude.lua + ${script}.lua\n"
         "inline constexpr const char* ${constant} = R\"qbotlua(${prelude}${body}${QBOT_LUA_END};\n")
  set(combined ${QBOT_LUA_GENERATED_DIR}/qbot/store/lua/${script}.lua)
  file(WRITE ${combined} "${prelude}${body}")
  list(APPEND combined_files ${combined})
endforeach()
configure_file(${QBOT_LUA_SOURCE_DIR}/lua_scripts.h.in ${QBOT_LUA_GENERATED_DIR}/qbot/store/lua_scripts.h @ONLY)
set_property(GLOBAL PROPERTY QBOT_STORE_LUA_FILES ${combined_files})
