# The optional libraries of the backends: each found automatically, forced off with
# -DGAZE_WITH_X=OFF, and when missing or unusable turned off with one line saying why. Sets
# GAZE_HAVE_OPENBLAS, GAZE_HAVE_ONEDNN, GAZE_HAVE_CUDA, GAZE_HAVE_MPI, GAZE_HAVE_NCCL and GAZE_HAVE_FFMPEG (0 or 1)
# for the CMakeLists.txt files and build_config.h.
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

# Data-parallel training's transports (trainers/lib/distributed/, docs/distributed.md). Open MPI
# launches the ranks and averages CPU gradients; NCCL averages GPU gradients and is bootstrapped
# through MPI, so it needs both MPI and CUDA. gaze uses MPI's C API (the C++ bindings are
# deprecated), through CMake's FindMPI (its CXX component, without the C++ bindings).
set(GAZE_HAVE_MPI 0)
if(GAZE_WITH_MPI)
  set(MPI_CXX_SKIP_MPICXX ON)  # the C API only: no libmpi_cxx
  find_package(MPI COMPONENTS CXX QUIET)
  if(MPI_CXX_FOUND)
    set(GAZE_HAVE_MPI 1)
  else()
    message(STATUS "gaze: mpi off: CMake's FindMPI finds no MPI library for C++; install libopenmpi-dev and openmpi-bin")
  endif()
endif()

set(GAZE_HAVE_NCCL 0)
if(GAZE_WITH_NCCL)
  if(NOT GAZE_HAVE_CUDA)
    message(STATUS "gaze: nccl off: it averages GPU gradients and needs the CUDA backend, which is off")
  elseif(NOT GAZE_HAVE_MPI)
    message(STATUS "gaze: nccl off: its ranks are bootstrapped through MPI, which is off")
  else()
    find_path(GAZE_NCCL_INCLUDE_DIR nccl.h HINTS "${GAZE_CUDA_ROOT}/include")
    find_library(GAZE_NCCL_LIBRARY nccl HINTS "${GAZE_CUDA_ROOT}/lib64" "${GAZE_CUDA_ROOT}/lib"
                 "${GAZE_CUDA_ROOT}/targets/x86_64-linux/lib")
    if(GAZE_NCCL_INCLUDE_DIR AND GAZE_NCCL_LIBRARY)
      set(GAZE_HAVE_NCCL 1)
      add_library(gaze::nccl UNKNOWN IMPORTED)
      set_target_properties(gaze::nccl PROPERTIES IMPORTED_LOCATION "${GAZE_NCCL_LIBRARY}"
                            INTERFACE_INCLUDE_DIRECTORIES "${GAZE_NCCL_INCLUDE_DIR}")
    else()
      message(STATUS "gaze: nccl off: nccl.h or libnccl.so not found under ${GAZE_CUDA_ROOT}; install NCCL there")
    endif()
  endif()
endif()

# Video files for data.dataset videos (trainers/lib/io/video_file.cpp): FFmpeg's demuxers, decoders
# and pixel-format conversion. Without them gaze still reads videos stored as frame folders.
set(GAZE_HAVE_FFMPEG 0)
if(GAZE_WITH_FFMPEG)
  pkg_check_modules(FFMPEG IMPORTED_TARGET libavformat libavcodec libavutil libswscale)
  if(FFMPEG_FOUND)
    set(GAZE_HAVE_FFMPEG 1)
  else()
    message(STATUS "gaze: ffmpeg off: pkg-config finds no libavformat libavcodec libavutil libswscale; install libavformat-dev "
                   "libavcodec-dev libavutil-dev libswscale-dev to read video files (frame folders work without them)")
  endif()
endif()
