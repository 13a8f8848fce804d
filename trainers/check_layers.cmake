# Fails when a file of trainers/ includes a header of a folder above its own, in the order of
# trainers/CMakeLists.txt. The linked-alone programs catch calls upward; this catches what needs
# no linking: a type, an inline function or a constant taken from above.
# Run as: cmake -DTRAINERS_DIR=<trainers/> -P check_layers.cmake
set(order lib plot datasets tasks app cli)  # each may include only itself and those before it
file(GLOB_RECURSE files RELATIVE ${TRAINERS_DIR} ${TRAINERS_DIR}/*.h ${TRAINERS_DIR}/*.cpp)
set(wrong "")
foreach(file IN LISTS files)
  string(REGEX MATCH "^[^/]+" own "${file}")
  list(FIND order "${own}" own_rank)
  if(own_rank EQUAL -1)
    continue()
  endif()
  file(STRINGS ${TRAINERS_DIR}/${file} includes REGEX "^#include \"trainers/[^/]+/")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^#include \"trainers/([^/]+)/.*" "\\1" used "${line}")
    list(FIND order "${used}" used_rank)
    if(used_rank GREATER own_rank)
      string(APPEND wrong "\n  trainers/${file}: ${line} (${used}/ is above ${own}/)")
    endif()
  endforeach()
endforeach()
if(wrong)
  message(FATAL_ERROR "trainers: an include points up the layers (lib → plot → datasets → tasks → app → cli); "
                      "move the piece it needs down, or pass it in as a parameter:${wrong}")
endif()
