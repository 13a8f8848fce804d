# The layering rule of docs/architecture.md, checked on every #include "..." of the sources:
# a file may include its own folder and the folders its layer sits on, nothing above.
#   cmake -DGAZE_SOURCE_DIR=<repo> -P cmake/check_layering.cmake
# Fails with one line per offending include (file:line, the include, what that folder may
# include). ctest runs it (gaze_layering), so CI fails on an include that crosses a layer the wrong way.
#
# Each rule: a folder, then the folders its files may include. "x/*" is x and everything under
# it; a plain name is that folder only. A file follows the rule of its longest matching folder.
# "gaze" is the generated build_config.h.
set(GAZE_LAYER_RULES
  "framework:framework gaze"
  "backends/reference:backends/reference framework gaze"
  "backends/openblas:backends/openblas backends/reference framework gaze"
  "backends/onednn:backends/onednn backends/openblas backends/reference framework gaze"
  "backends/cuda/plan:backends/cuda/plan backends/reference framework gaze"
  "backends/cuda:backends/cuda/* backends/reference framework gaze"
  "backends:backends/* framework gaze"
  "autograd:autograd framework gaze"
  "layers:layers/* autograd framework gaze"
  "trainers:trainers/* layers/* autograd backends framework gaze"
)

if(NOT GAZE_SOURCE_DIR)
  message(FATAL_ERROR "check_layering: pass -DGAZE_SOURCE_DIR=<the repository root>")
endif()

function(folder_matches folder pattern out)
  if(pattern MATCHES "^(.*)/\\*$")
    set(root "${CMAKE_MATCH_1}")
    if(folder STREQUAL root OR folder MATCHES "^${root}/")
      set(${out} TRUE PARENT_SCOPE)
      return()
    endif()
  elseif(folder STREQUAL pattern)
    set(${out} TRUE PARENT_SCOPE)
    return()
  endif()
  set(${out} FALSE PARENT_SCOPE)
endfunction()

set(violations 0)
set(checked 0)
file(GLOB_RECURSE sources RELATIVE "${GAZE_SOURCE_DIR}"
     "${GAZE_SOURCE_DIR}/framework/*" "${GAZE_SOURCE_DIR}/backends/*" "${GAZE_SOURCE_DIR}/autograd/*"
     "${GAZE_SOURCE_DIR}/layers/*" "${GAZE_SOURCE_DIR}/trainers/*")
foreach(source IN LISTS sources)
  if(NOT source MATCHES "\\.(h|cpp|cu|cuh)$")
    continue()
  endif()
  get_filename_component(folder "${source}" DIRECTORY)
  # The rule of the longest folder that contains this file.
  set(rule_allowed "")
  set(rule_length -1)
  foreach(rule IN LISTS GAZE_LAYER_RULES)
    string(FIND "${rule}" ":" colon)
    string(SUBSTRING "${rule}" 0 ${colon} rule_folder)
    math(EXPR start "${colon} + 1")
    string(SUBSTRING "${rule}" ${start} -1 allowed)
    string(LENGTH "${rule_folder}" length)
    if((folder STREQUAL rule_folder OR folder MATCHES "^${rule_folder}/") AND length GREATER rule_length)
      set(rule_allowed "${allowed}")
      set(rule_length ${length})
    endif()
  endforeach()
  if(rule_length EQUAL -1)
    message(SEND_ERROR "${source}: no layering rule covers folder ${folder}; add one to cmake/check_layering.cmake")
    math(EXPR violations "${violations} + 1")
    continue()
  endif()
  string(REPLACE " " ";" rule_allowed "${rule_allowed}")
  file(STRINGS "${GAZE_SOURCE_DIR}/${source}" lines)
  set(line_number 0)
  foreach(line IN LISTS lines)
    math(EXPR line_number "${line_number} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]+\"([^\"]+)\"")
      continue()
    endif()
    set(included "${CMAKE_MATCH_1}")
    math(EXPR checked "${checked} + 1")
    get_filename_component(included_folder "${included}" DIRECTORY)
    if(included_folder STREQUAL "")
      continue()  # a file beside the includer, by its bare name
    endif()
    set(ok FALSE)
    foreach(pattern IN LISTS rule_allowed)
      folder_matches("${included_folder}" "${pattern}" ok)
      if(ok)
        break()
      endif()
    endforeach()
    if(NOT ok)
      string(REPLACE ";" " " shown "${rule_allowed}")
      message("${source}:${line_number}: includes \"${included}\", but ${folder}/ may include only: ${shown}")
      math(EXPR violations "${violations} + 1")
    endif()
  endforeach()
endforeach()

if(violations GREATER 0)
  message(FATAL_ERROR "check_layering: ${violations} include(s) cross a layer the wrong way (docs/architecture.md)")
endif()
message("check_layering: ${checked} includes in ${GAZE_SOURCE_DIR}, every one within its layer")
