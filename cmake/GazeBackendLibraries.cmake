# The optional libraries of the backends: each found automatically, forced off with
# -DGAZE_WITH_X=OFF, and when missing or unusable turned off with one line saying why. Sets
# GAZE_HAVE_OPENBLAS, GAZE_HAVE_ONEDNN and GAZE_HAVE_CUDA (0 or 1) for backends/CMakeLists.txt
# and build_config.h.
set(GAZE_HAVE_OPENBLAS 0)
if(GAZE_WITH_OPENBLAS)
  pkg_check_modules(OPENBLAS IMPORTED_TARGET openblas)
  if(OPENBLAS_FOUND)
    set(GAZE_HAVE_OPENBLAS 1)
  else()
    message(STATUS "gaze: openblas backend off: pkg-config finds no openblas; install libopenblas-openmp-dev")
  endif()
endif()

set(GAZE_HAVE_ONEDNN 0)
if(GAZE_WITH_ONEDNN)
  include(${CMAKE_CURRENT_LIST_DIR}/GazeFindOneDNN.cmake)
  if(GAZE_DNNL_FOUND AND NOT GAZE_HAVE_OPENBLAS)
    message(STATUS "gaze: onednn backend off: it extends the openblas one; enable OpenBLAS to build it")
  elseif(GAZE_DNNL_FOUND)
    set(GAZE_HAVE_ONEDNN 1)
  else()
    message(STATUS "gaze: onednn backend off: ${GAZE_DNNL_WHY}")
  endif()
endif()

set(GAZE_HAVE_CUDA 0)
if(GAZE_WITH_CUDA)
  include(${CMAKE_CURRENT_LIST_DIR}/GazeFindCUDA.cmake)
  if(GAZE_CUDA_FOUND)
    set(GAZE_HAVE_CUDA 1)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES "80;90")  # A100 and H100/H200: the GPUs gaze is lent
    endif()
    enable_language(CUDA)
  else()
    message(STATUS "gaze: cuda backend off: ${GAZE_CUDA_WHY}")
  endif()
endif()
