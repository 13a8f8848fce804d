# oneDNN for the `onednn` backend, found without Debian's dnnl-config.cmake: that file requires
# OpenCL (libdnnl-dev is built with an OpenCL GPU runtime but only *recommends* its headers), and a
# failed find_package(OpenCL REQUIRED) inside it stops the whole configure. gaze uses oneDNN's CPU
# engine only, and its public headers need nothing from OpenCL, so the header and the library are
# all it takes. Sets GAZE_DNNL_FOUND, GAZE_DNNL_WHY (why not) and the imported target gaze::dnnl.
set(GAZE_DNNL_FOUND FALSE)
find_path(GAZE_DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(GAZE_DNNL_LIBRARY NAMES dnnl)
if(NOT GAZE_DNNL_INCLUDE_DIR OR NOT GAZE_DNNL_LIBRARY)
  set(GAZE_DNNL_WHY "oneapi/dnnl/dnnl.hpp or libdnnl not found; install libdnnl-dev")
else()
  file(STRINGS "${GAZE_DNNL_INCLUDE_DIR}/oneapi/dnnl/dnnl_version.h" _gaze_dnnl_major REGEX "#define DNNL_VERSION_MAJOR")
  string(REGEX MATCH "[0-9]+" _gaze_dnnl_major "${_gaze_dnnl_major}")
  if(NOT _gaze_dnnl_major EQUAL 2)
    set(GAZE_DNNL_WHY "found oneDNN ${_gaze_dnnl_major}.x in ${GAZE_DNNL_INCLUDE_DIR}; gaze's onednn backend is written for 2.x (Debian 12's libdnnl-dev)")
  else()
    set(GAZE_DNNL_FOUND TRUE)
    add_library(gaze::dnnl UNKNOWN IMPORTED)
    set_target_properties(gaze::dnnl PROPERTIES IMPORTED_LOCATION "${GAZE_DNNL_LIBRARY}"
                                                INTERFACE_INCLUDE_DIRECTORIES "${GAZE_DNNL_INCLUDE_DIR}")
  endif()
endif()
