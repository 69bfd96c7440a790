# The spectator pages, embedded at configure time into the generated header
# qbot/spectator/web_assets.h: one constant per file under web/,
# `web::k<Name><Ext>` (view.js -> kViewJs, index.html -> kIndexHtml).
# No network at build or run time: the files are the page. Editing any of
# them re-runs the configure.
set(QBOT_WEB_SOURCE_DIR ${CMAKE_CURRENT_LIST_DIR})
set(QBOT_WEB_GENERATED_DIR ${CMAKE_CURRENT_BINARY_DIR}/generated)
set(QBOT_WEB_FILES index.html watch.html replay.html style.css view.js live.js replay.js)
# Ends the raw string literal each file is embedded in: no file may contain it.
set(QBOT_WEB_END ")qbotweb\"")

set(QBOT_WEB_CONSTANTS "")
foreach(file ${QBOT_WEB_FILES})
  set(path ${QBOT_WEB_SOURCE_DIR}/${file})
  file(READ ${path} body)
  string(FIND "${body}" "${QBOT_WEB_END}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${path} contains ${QBOT_WEB_END}, which would end the C++ raw string it is embedded in")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${path})
  # index.html -> kIndexHtml
  string(REPLACE "." ";" parts ${file})
  set(name "k")
  foreach(part ${parts})
    string(SUBSTRING ${part} 0 1 first)
    string(SUBSTRING ${part} 1 -1 rest)
    string(TOUPPER ${first} first)
    string(APPEND name ${first}${rest})
  endforeach()
  string(APPEND QBOT_WEB_CONSTANTS
         "/// server/spectator/web/${file}\n"
         "inline constexpr std::string_view ${name} = R\"qbotweb(${body}${QBOT_WEB_END};\n")
endforeach()
configure_file(${QBOT_WEB_SOURCE_DIR}/web_assets.h.in ${QBOT_WEB_GENERATED_DIR}/qbot/spectator/web_assets.h @ONLY)
